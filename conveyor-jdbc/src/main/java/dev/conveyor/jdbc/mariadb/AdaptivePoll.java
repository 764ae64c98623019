package dev.conveyor.jdbc.mariadb;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Adaptive polling for a broker without a push signal from other processes. The broker's idle fetchers wait at
 * most {@code cap} between polls on their own; this thread wakes them sooner while the queues are busy: right
 * after a claim leased jobs they poll every {@code floor}, then the interval grows with the time since jobs were
 * last found (half of it, so about ×1.5 per empty poll) until it reaches {@code cap}, where the thread goes
 * quiet. So a burst from another process is picked up within milliseconds, and an idle worker costs the
 * database one fetch per {@code cap}.
 */
final class AdaptivePoll implements AutoCloseable {
    private final long floorNanos;
    private final long capNanos;
    private volatile long lastFound;
    private volatile boolean quiet;
    private volatile boolean closed;
    private volatile Thread thread;

    AdaptivePoll(Duration floor, Duration cap) {
        this.capNanos = cap.toNanos();
        this.floorNanos = Math.min(floor.toNanos(), capNanos);
        this.lastFound = System.nanoTime() - 2 * capNanos; // idle until the first claim
    }

    /** Starts waking {@code wake} (the broker's idle fetchers); does nothing when the cap is already the floor. */
    void start(Runnable wake, String name) {
        if (floorNanos >= capNanos) return;
        thread = Thread.ofPlatform().daemon().name(name).start(() -> run(wake));
    }

    /** A claim leased jobs: poll tightly again. Cheap on the hot path (one volatile write, rarely an unpark). */
    void found() {
        lastFound = System.nanoTime();
        if (quiet) {
            Thread t = thread;
            quiet = false;
            if (t != null) LockSupport.unpark(t);
        }
    }

    /** The wait before the next wake-up, given how long ago jobs were last found. */
    long intervalNanos(long sinceFound) {
        return Math.max(floorNanos, Math.min(capNanos, sinceFound / 2));
    }

    private void run(Runnable wake) {
        while (!closed) {
            long interval = intervalNanos(System.nanoTime() - lastFound);
            if (interval >= capNanos) {
                // Idle: the fetchers' own capped wait is the poll. Sleep until a claim finds jobs again.
                quiet = true;
                if (intervalNanos(System.nanoTime() - lastFound) >= capNanos && !closed) LockSupport.park(this);
                quiet = false;
                continue;
            }
            LockSupport.parkNanos(this, interval);
            if (closed) return;
            try {
                wake.run();
            } catch (RuntimeException ignored) {
                // the broker is closing
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
