package dev.conveyor.redis;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wake-ups for idle workers and for waiters on results. Every script that makes jobs ready (or schedules them)
 * publishes the queue name on {@code {prefix}:wake}, and every ack or bury on {@code {prefix}:done}; one
 * subscription per broker turns those messages into per-channel, per-queue generation numbers and wakes the
 * threads waiting in {@code awaitWork} and {@code awaitFinished}. Waiters read the generations <em>before</em> they look for
 * work, so a message that arrives in between is not missed. Pub/sub is lossy while disconnected (Lettuce
 * resubscribes on reconnect), which is why waits are also capped.
 */
final class WakeSignals implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WakeSignals.class);

    private final Supplier<StatefulRedisPubSubConnection<String, String>> connect;
    private final String[] channels;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, AtomicLong> generations = new ConcurrentHashMap<>();
    /** A pseudo-queue signalled with every queue of a channel (no real queue name is empty). */
    static final String ANY_QUEUE = "";
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile StatefulRedisPubSubConnection<String, String> subscription;
    private volatile boolean closed;
    private static final long RETRY_MS = 5_000;
    /** How long an expected echo is waited for; a later one counts as news (one needless look at most). */
    private static final long ECHO_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Per channel and queue, the echoes expected of this process's own announcements. */
    private final ConcurrentHashMap<String, Echoes> echoes = new ConcurrentHashMap<>();
    private long nextAttempt = System.nanoTime();

    WakeSignals(Supplier<StatefulRedisPubSubConnection<String, String>> connect, String... channels) {
        this(connect, System::nanoTime, channels);
    }

    /** With a clock of its own for the echoes' window ({@code System::nanoTime} but in tests). */
    WakeSignals(Supplier<StatefulRedisPubSubConnection<String, String>> connect, LongSupplier nanoTime, String... channels) {
        this.connect = connect;
        this.nanoTime = nanoTime;
        this.channels = channels.clone();
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
                        if (!isEcho(ch, queue)) signal(ch, queue);
                    }
                });
                c.async().subscribe(channels).get(10, TimeUnit.SECONDS);
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

    /** Something happened in {@code queue} on {@code channel} (work arrived, jobs finished). */
    void signal(String channel, String queue) {
        generations.computeIfAbsent(key(channel, queue), q -> new AtomicLong()).incrementAndGet();
        generations.computeIfAbsent(key(channel, ANY_QUEUE), q -> new AtomicLong()).incrementAndGet();
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Expects the pub/sub message this process's own script is about to publish for {@code queue}: the script's
     * caller signals this process's waiters itself (ahead of the message), so the message, when it comes, is no
     * news; without this, a waiter that already took the job wakes again for its echo and looks for work once
     * more (at light load, for about every job). Call it before the script is sent: its message can arrive before
     * the call that sent it returns. Expected only while subscribed (a process that never waits hears no
     * messages, and must not collect expectations).
     */
    void expectEcho(String channel, String queue) {
        if (subscription != null) echoes.computeIfAbsent(key(channel, queue), k -> new Echoes()).expect(nanoTime.getAsLong());
    }

    /** A message expected with {@link #expectEcho} will not come (the script published nothing). */
    void noEcho(String channel, String queue) {
        Echoes expected = echoes.get(key(channel, queue));
        if (expected != null) expected.cancel();
    }

    /** Whether this message is the echo of an announcement already signalled; takes it off the expected ones. */
    private boolean isEcho(String channel, String queue) {
        Echoes expected = echoes.get(key(channel, queue));
        return expected != null && expected.take(nanoTime.getAsLong());
    }

    /**
     * The deadlines of the echoes one channel and queue expects, oldest first. One that is past (its message lost
     * while reconnecting) is dropped: it must not swallow later news.
     */
    private static final class Echoes {
        private final java.util.ArrayDeque<Long> deadlines = new java.util.ArrayDeque<>();

        synchronized void expect(long now) {
            dropPast(now);
            deadlines.addLast(now + ECHO_WINDOW_NANOS);
        }

        synchronized boolean take(long now) {
            dropPast(now);
            return deadlines.pollFirst() != null;
        }

        synchronized void cancel() {
            deadlines.pollLast();
        }

        private void dropPast(long now) {
            Long first;
            while ((first = deadlines.peekFirst()) != null && first - now <= 0) deadlines.pollFirst();
        }
    }

    long[] generations(String channel, Collection<String> queues) {
        long[] out = new long[queues.size()];
        int i = 0;
        for (String q : queues) out[i++] = generations.computeIfAbsent(key(channel, q), k -> new AtomicLong()).get();
        return out;
    }

    /**
     * Waits until one of the queues was signalled on {@code channel} since {@code seen} was read, {@code nanos}
     * passed, or the thread is interrupted (returns with the flag set).
     */
    void await(String channel, Collection<String> queues, long[] seen, long nanos) {
        lock.lock();
        try {
            while (nanos > 0 && !moved(channel, queues, seen)) nanos = changed.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Whether one of the queues was signalled on {@code channel} since {@code seen} was read. */
    boolean movedSince(String channel, Collection<String> queues, long[] seen) {
        return moved(channel, queues, seen);
    }

    private boolean moved(String channel, Collection<String> queues, long[] seen) {
        int i = 0;
        for (String q : queues) {
            if (generations.get(key(channel, q)).get() != seen[i++]) return true;
        }
        return false;
    }

    private static String key(String channel, String queue) {
        return channel + '\u0000' + queue;
    }

    @Override
    public void close() {
        closed = true;
    }
}
