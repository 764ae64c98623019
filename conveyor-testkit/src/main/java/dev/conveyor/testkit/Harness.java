package dev.conveyor.testkit;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.testing.SettableClock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One test's world: a fresh clock, the broker opened on it, unique queue names, and whatever the test started
 * (Conveyor instances and their workers) to close afterwards. Created per test instance, opened before each
 * test and closed after it.
 */
final class Harness {
    private final Function<BrokerContext, Broker> opener;
    private final Runnable cleanUp;
    /** Per test, so brokers with shared storage (SQL, Redis) never see another test's jobs in a queue. */
    private final String prefix = "ct-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private final AtomicInteger queues = new AtomicInteger();
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private SettableClock clock;
    private Broker broker;

    Harness(Function<BrokerContext, Broker> opener, Runnable cleanUp) {
        this.opener = opener;
        this.cleanUp = cleanUp;
    }

    void open() {
        // Near real time (not a fixed date) so a broker that also sets server-side expiries stays sane;
        // whole milliseconds because that is what the wire format and most stores keep.
        clock = SettableClock.startingNow();
        broker = Objects.requireNonNull(opener.apply(new BrokerContext(clock)), "openBroker returned null");
    }

    SettableClock clock() {
        return clock;
    }

    Broker broker() {
        return broker;
    }

    /** A queue name no other test uses. */
    String newQueue() {
        return prefix + queues.incrementAndGet();
    }

    <T extends AutoCloseable> T closeAfterTest(T closeable) {
        synchronized (closeables) {
            closeables.push(closeable);
        }
        return closeable;
    }

    /** Closes what the test started (newest first), then the broker, then runs the subclass's clean-up. */
    void close() throws Exception {
        Exception first = null;
        while (true) {
            AutoCloseable c;
            synchronized (closeables) {
                c = closeables.poll();
            }
            if (c == null) break;
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) first = e; else first.addSuppressed(e);
            }
        }
        try {
            if (broker != null) broker.close();
        } catch (Exception e) {
            if (first == null) first = e; else first.addSuppressed(e);
        } finally {
            broker = null;
            cleanUp.run();
        }
        if (first != null) throw first;
    }
}
