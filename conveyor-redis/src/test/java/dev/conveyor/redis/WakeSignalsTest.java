package dev.conveyor.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The echo of this process's own announcements ({@link WakeSignals#expectEcho}) is no news, and nothing else is
 * swallowed in its place: a foreign producer's message, a message after a script that stored nothing, after an
 * echo lost past its window, or in a process that was not subscribed when it announced. Against the local Redis,
 * messages published here standing in for the scripts' and other producers' {@code PUBLISH}.
 */
class WakeSignalsTest {
    @RegisterExtension
    static final LocalRedis redis = new LocalRedis();
    static RedisClient client;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private String channel;
    private WakeSignals wake;
    private int barriers;

    @BeforeAll
    static void connect() {
        client = RedisClient.create(RedisURI.Builder.redis(LocalRedis.HOST, LocalRedis.PORT).build());
    }

    @AfterAll
    static void disconnect() {
        if (client != null) client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }

    @BeforeEach
    void open() {
        channel = "{" + redis.prefix() + "}:wake";
        wake = new WakeSignals(client::connectPubSub, nanos::get, channel);
    }

    @AfterEach
    void close() {
        wake.close();
    }

    private long generation(String queue) {
        return wake.generations(channel, List.of(queue))[0];
    }

    private void publish(String queue) {
        redis.sync().publish(channel, queue);
    }

    /** Returns once every message published before it was delivered (one connection delivers in order). */
    private void delivered() {
        String barrier = "barrier-" + barriers++;
        publish(barrier);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (generation(barrier) == 0) {
            assertThat(System.nanoTime()).as("the barrier message %s within 10 s", barrier).isLessThan(deadline);
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void anExpectedEchoIsNoNewsButTheNextMessageIs() {
        assertThat(wake.subscribe()).isTrue();
        long before = generation("q");
        wake.expectEcho(channel, "q");
        wake.signal(channel, "q");
        assertThat(generation("q")).as("signalled at once").isEqualTo(before + 1);
        publish("q"); // the script's own PUBLISH
        delivered();
        assertThat(generation("q")).as("its echo").isEqualTo(before + 1);
        publish("q"); // another producer's job
        delivered();
        assertThat(generation("q")).as("a foreign message").isEqualTo(before + 2);
    }

    @Test
    void aScriptThatStoredNothingLeavesNoExpectationToSwallowTheNextMessage() {
        assertThat(wake.subscribe()).isTrue();
        long before = generation("q");
        wake.expectEcho(channel, "q");
        wake.signal(channel, "q");
        wake.noEcho(channel, "q");
        publish("q");
        delivered();
        assertThat(generation("q")).isEqualTo(before + 2);
    }

    @Test
    void anEchoThatNeverCameIsNotExpectedPastItsWindow() {
        assertThat(wake.subscribe()).isTrue();
        long before = generation("q");
        wake.expectEcho(channel, "q");
        wake.signal(channel, "q"); // its message lost (say, while the subscription reconnected)
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_001));
        publish("q");
        delivered();
        assertThat(generation("q")).isEqualTo(before + 2);
    }

    @Test
    void echoesAreTakenOnePerAnnouncementAndPerQueue() {
        assertThat(wake.subscribe()).isTrue();
        long q = generation("q");
        long other = generation("other");
        wake.expectEcho(channel, "q");
        wake.signal(channel, "q");
        wake.expectEcho(channel, "q");
        wake.signal(channel, "q");
        publish("other");
        publish("q");
        publish("q");
        publish("q");
        delivered();
        assertThat(generation("q")).as("two announced, three messages").isEqualTo(q + 3);
        assertThat(generation("other")).as("another queue's message").isEqualTo(other + 1);
    }

    @Test
    void aProcessNotYetSubscribedCollectsNoExpectations() {
        long before = generation("q");
        wake.expectEcho(channel, "q");
        wake.signal(channel, "q"); // a producer that never waited: no messages reach it, none are expected
        wake.expectEcho(channel, "q");
        wake.signal(channel, "q");
        assertThat(wake.subscribe()).isTrue();
        publish("q");
        delivered();
        assertThat(generation("q")).isEqualTo(before + 3);
    }
}
