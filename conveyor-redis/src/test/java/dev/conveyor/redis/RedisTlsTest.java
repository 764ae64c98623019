package dev.conveyor.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.BrokerException;
import dev.conveyor.broker.Brokers;
import dev.conveyor.broker.Completion;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.Outcome;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobIds;
import dev.conveyor.testing.SettableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * rediss:// and credentials against a private redis-server with a self-signed certificate, a password for the
 * default user and an ACL user: the broker works over TLS, and every wrong setting fails the open with a
 * BrokerException that names the server.
 */
class RedisTlsTest {
    static Path dir;
    static RedisProcess server;
    static int plainPort;
    static int tlsPort;

    @BeforeAll
    static void startServer() throws Exception {
        dir = Files.createTempDirectory("conveyor-redis-tls-");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        RedisProcess.run(List.of(binary("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1"));
        plainPort = RedisProcess.freePort();
        tlsPort = RedisProcess.freePort();
        server = new RedisProcess(dir.resolve("data"), plainPort, List.of("--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(), "--tls-ca-cert-file",
                cert.toString(), "--tls-auth-clients", "no", "--appendonly", "no", "--requirepass", "s3cret",
                "--user", "worker", "on", ">pw", "~*", "&*", "+@all"));
        server.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) server.close();
        if (dir != null) RedisProcess.deleteTree(dir);
    }

    private static String binary(String name) {
        for (String d : List.of("/usr/bin", "/usr/local/bin")) {
            if (Files.isExecutable(Path.of(d, name))) return Path.of(d, name).toString();
        }
        throw new AssertionError(name + " not found; install it with: apt-get install -y openssl");
    }

    @Test
    void aJobGoesRoundTheBrokerOverTlsWithAnAclUser() {
        SettableClock clock = SettableClock.startingNow();
        try (Broker broker = Brokers.open("rediss://worker:pw@127.0.0.1:" + tlsPort + "?verifyPeer=false",
                new BrokerContext(clock))) {
            Instant now = clock.instant();
            Job job = new Job(JobIds.next(clock), "t", "tls", "{}", Map.of(), 5, 0, 0, 3, 3, now, now, null, null,
                    null, null, null, null);
            broker.enqueue(List.of(job));
            List<LeasedJob> leased = broker.fetch(List.of("tls"), 10, Duration.ofSeconds(30));
            assertThat(leased).extracting(l -> l.job().id()).containsExactly(job.id());
            assertThat(broker.ack(List.of(new Completion(leased.get(0).lease(), null)))).containsExactly(Outcome.OK);
        }
    }

    @Test
    void thePasswordOfTheDefaultUserIsEnough() {
        try (Broker broker = Brokers.open("rediss://:s3cret@127.0.0.1:" + tlsPort + "?verifyPeer=false",
                BrokerContext.defaults())) {
            assertThat(broker.fetch(List.of("tls-default-user"), 1, Duration.ofSeconds(1))).isEmpty();
        }
    }

    @Test
    void wrongSettingsFailTheOpenNamingTheServer() {
        String where = "127.0.0.1:" + tlsPort;
        assertThatThrownBy(() -> Brokers.open("rediss://:s3cret@" + where, BrokerContext.defaults()))
                .as("a self-signed certificate with verifyPeer on").isInstanceOf(BrokerException.class)
                .hasMessageContaining(where).hasMessageContaining("certificate is not trusted");
        assertThatThrownBy(() -> Brokers.open("rediss://:wrong@" + where + "?verifyPeer=false", BrokerContext.defaults()))
                .as("a wrong password").isInstanceOf(BrokerException.class)
                .hasMessageContaining(where).hasMessageContaining("password in the URL is wrong")
                .hasMessageNotContaining("wrong@");
        assertThatThrownBy(() -> Brokers.open("redis://:s3cret@" + where + "?timeout=2s", BrokerContext.defaults()))
                .as("plain text to the TLS port").isInstanceOf(BrokerException.class).hasMessageContaining(where);
        assertThatThrownBy(() -> Brokers.open("redis://127.0.0.1:" + plainPort, BrokerContext.defaults()))
                .as("no password at all").isInstanceOf(BrokerException.class).hasMessageContaining("127.0.0.1:" + plainPort)
                .hasMessageContaining("requires a password");
    }

    @Test
    void aFailureThatLostTheServersNoauthIsStillExplainedByAPlainPing() {
        // Lettuce sometimes loses the server's NOAUTH to a race in its handshake and reports only this:
        String lost = "Unable to connect (IllegalStateException: RedisHandshakeHandler not registered)";
        RedisUrl url = RedisUrl.parse("redis://127.0.0.1:" + plainPort);
        assertThat(RedisConnection.plainPingReply(url)).startsWith("-NOAUTH");
        assertThat(RedisConnection.hint(url, lost + " " + RedisConnection.plainPingReply(url))).contains("requires a password");
        assertThat(RedisConnection.plainPingReply(RedisUrl.parse("rediss://127.0.0.1:" + tlsPort))).as("not for TLS").isEmpty();
    }
}
