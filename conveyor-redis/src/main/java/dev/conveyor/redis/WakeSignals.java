package dev.conveyor.redis;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wake-ups for idle workers. Every script that makes jobs ready (or schedules them) publishes the queue name on
 * {@code {prefix}:wake}; one subscription per broker turns those messages into a per-queue generation number and
 * wakes the threads waiting in {@code awaitWork}. Waiters read the generations <em>before</em> they look for
 * work, so a message that arrives in between is not missed. Pub/sub is lossy while disconnected (Lettuce
 * resubscribes on reconnect), which is why waits are also capped.
 */
final class WakeSignals implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WakeSignals.class);

    private final Supplier<StatefulRedisPubSubConnection<String, String>> connect;
    private final String channel;
    private final ConcurrentHashMap<String, AtomicLong> generations = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile StatefulRedisPubSubConnection<String, String> subscription;
    private volatile boolean closed;
    private static final long RETRY_MS = 5_000;
    private long nextAttempt = System.nanoTime();

    WakeSignals(Supplier<StatefulRedisPubSubConnection<String, String>> connect, String channel) {
        this.connect = connect;
        this.channel = channel;
    }

    /**
     * Subscribes on first use; returns false (and waits fall back to polling) when that fails. After a failure it
     * tries again at most every {@value #RETRY_MS} ms, so an outage does not turn every wait into a connect.
     */
    boolean subscribe() {
        if (subscription != null) return true;
        synchronized (this) {
            if (subscription != null) return true;
            if (closed || System.nanoTime() < nextAttempt) return false;
            nextAttempt = System.nanoTime() + RETRY_MS * 1_000_000L;
            try {
                StatefulRedisPubSubConnection<String, String> c = connect.get();
                c.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String ch, String queue) {
                        signal(queue);
                    }
                });
                c.async().subscribe(channel).get(10, TimeUnit.SECONDS);
                subscription = c;
                return true;
            } catch (Exception e) {
                if (interrupted(e)) {
                    nextAttempt = System.nanoTime(); // not a Redis problem: the next wait may try at once
                    Thread.currentThread().interrupt(); // the waiter was told to stop
                } else {
                    log.warn("cannot subscribe to Redis wake-ups ({}); idle workers poll until it works", e.toString());
                }
                return false;
            }
        }
    }

    private static boolean interrupted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException) return true;
        }
        return Thread.currentThread().isInterrupted();
    }

    /** Work may have arrived in {@code queue}. */
    void signal(String queue) {
        generations.computeIfAbsent(queue, q -> new AtomicLong()).incrementAndGet();
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long[] generations(Collection<String> queues) {
        long[] out = new long[queues.size()];
        int i = 0;
        for (String q : queues) out[i++] = generations.computeIfAbsent(q, k -> new AtomicLong()).get();
        return out;
    }

    /**
     * Waits until one of the queues was signalled since {@code seen} was read, {@code nanos} passed, or the
     * thread is interrupted (returns with the flag set).
     */
    void await(Collection<String> queues, long[] seen, long nanos) {
        lock.lock();
        try {
            while (nanos > 0 && !moved(queues, seen)) nanos = changed.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private boolean moved(Collection<String> queues, long[] seen) {
        int i = 0;
        for (String q : queues) {
            if (generations.get(q).get() != seen[i++]) return true;
        }
        return false;
    }

    /** Stops subscribing; the connection itself is closed with the client that made it. */
    @Override
    public void close() {
        closed = true;
    }
}
