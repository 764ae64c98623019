package dev.conveyor.jdbc;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes idle fetchers in this JVM when jobs are enqueued or handed back, so a worker and a producer in one
 * process (the demo, an app with an embedded worker) need not wait a poll interval. Other processes' enqueues
 * are seen at the next poll. A sequence number closes the gap between an empty fetch and the wait: each thread
 * remembers the sequence its last fetch saw, and a wait returns at once if it has moved since.
 */
final class WakeUp {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ThreadLocal<long[]> seenByThread = ThreadLocal.withInitial(() -> new long[1]);
    private volatile long sequence;

    /** Called at the start of a fetch: remember what this thread has seen. */
    void observe() {
        seenByThread.get()[0] = sequence;
    }

    void signal() {
        lock.lock();
        try {
            sequence++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code max} for a signal newer than this thread's last fetch. */
    void await(Duration max) {
        awaitAfter(seenByThread.get()[0], max);
    }

    /** The signals so far; pass it to {@link #awaitAfter}. */
    long sequence() {
        return sequence;
    }

    /** Waits up to {@code max} for a signal after {@code seen} (a {@link #sequence} read before looking). */
    void awaitAfter(long seen, Duration max) {
        long nanos = max.toNanos();
        lock.lock();
        try {
            while (sequence == seen && nanos > 0) nanos = changed.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

}
