package dev.conveyor.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.Conveyor;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.testkit.servers.PrivateMariadb;
import dev.conveyor.testkit.servers.PrivatePostgres;
import dev.conveyor.testkit.servers.PrivateServer;
import dev.conveyor.testkit.servers.SelfSignedCert;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to PostgreSQL and MariaDB through the broker URL's options, against private servers that accept TLS
 * connections only: with the certificate verified, jobs flow and every connection Conveyor holds is encrypted;
 * a plain connection is refused by the server, and a certificate that does not match the trusted one is
 * refused by the client.
 */
class ServerTlsTest {
    record Text(String s) {}

    @TempDir
    static Path certs;
    static SelfSignedCert server;
    static SelfSignedCert stranger;

    private final Task<Text, String> echo = Task.named("tls.echo", Text.class, String.class).handler(a -> a.s() + "!");

    @BeforeAll
    static void certificates() {
        server = SelfSignedCert.create(certs, "server");
        stranger = SelfSignedCert.create(certs, "stranger");
    }

    @Test
    void postgresqlWithAVerifiedCertificate() throws Exception {
        try (PrivatePostgres pg = PrivateServer.started(new PrivatePostgres().requireTls(server))) {
            runsAJob(pg.url("sslmode=verify-full&sslrootcert=" + server.cert()));
            try (Conveyor c = Conveyor.builder().broker(pg.url("sslmode=verify-full&sslrootcert=" + server.cert()))
                    .task(echo).build()) {
                c.enqueue(echo, new Text("hold a connection"));
                long[] tlsAndAll = pgConnections(pg);
                assertThat(tlsAndAll[1]).as("Conveyor's connections").isPositive();
                assertThat(tlsAndAll[0]).as("of them over TLS").isEqualTo(tlsAndAll[1]);
            }
            assertThatThrownBy(() -> Conveyor.builder().broker(pg.url("sslmode=disable")).build())
                    .as("plain TCP").hasMessageContaining("no encryption");
            assertThatThrownBy(() -> Conveyor.builder().broker(pg.url("sslmode=verify-full&sslrootcert=" + stranger.cert()))
                    .build()).as("a certificate not signed by the trusted one").hasMessageContaining("SSL");
        }
    }

    @Test
    void mariadbWithAVerifiedCertificate() throws Exception {
        try (PrivateMariadb db = PrivateServer.started(new PrivateMariadb().requireTls(server))) {
            runsAJob(db.url("sslMode=verify-full&serverSslCert=" + server.cert()));
            try (Conveyor c = Conveyor.builder().broker(db.url("sslMode=verify-full&serverSslCert=" + server.cert()))
                    .task(echo).build();
                 Connection admin = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + db.port()
                         + "/?user=root&sslMode=verify-full&serverSslCert=" + server.cert());
                 Statement s = admin.createStatement();
                 ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Ssl_cipher'")) {
                c.enqueue(echo, new Text("hold a connection"));
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(2)).as("this session's cipher").isNotBlank();
            }
            assertThatThrownBy(() -> Conveyor.builder().broker(db.url("sslMode=disable")).build())
                    .as("plain TCP (MariaDB 10.11 answers require_secure_transport so)").hasMessageContaining("Access denied");
            assertThatThrownBy(() -> Conveyor.builder().broker(db.url("sslMode=verify-full&serverSslCert=" + stranger.cert()))
                    .build()).as("a certificate not signed by the trusted one").hasMessageContaining("certificate");
        }
    }

    private void runsAJob(String url) {
        try (Conveyor c = Conveyor.builder().broker(url).task(echo).build()) {
            JobHandle<String> h = c.enqueue(echo, new Text("over TLS"));
            c.startWorker(WorkerOptions.defaults().shutdownOnSigterm(false));
            assertThat(h.await(Duration.ofSeconds(30))).isEqualTo("over TLS!");
        }
    }

    /** {TLS connections, all connections} of application {@code conveyor}, seen over a TLS connection of our own. */
    private static long[] pgConnections(PrivatePostgres pg) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port()
                + "/postgres?user=postgres&sslmode=require");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE s.ssl), count(*) FROM pg_stat_activity a "
                     + "JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = 'conveyor'")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }
}
