package dev.conveyor.bench;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code --diagnose}: samples the SQLite broker's in-JVM write lock every millisecond — whether it is held, by
 * which thread (producer, processor, completer), and how many threads queue for it. Reads the lock through
 * reflection on {@code SqliteConnections}' private map, so it breaks quietly (reports "unavailable") if that
 * internal changes. The holder needs {@code --add-opens java.base/java.util.concurrent.locks=ALL-UNNAMED}
 * (bench/run passes it).
 */
final class WriteLockSampler implements AutoCloseable {
    private final ReentrantLock lock;
    private final Method getOwner;
    private final Thread thread;
    private volatile boolean running = true;
    private long samples;
    private long held;
    private long waiters;
    private final Map<String, Long> holders = new TreeMap<>();
    private final Map<Thread, String> names = new java.util.WeakHashMap<>();
    private final String unavailable;

    private WriteLockSampler(ReentrantLock lock, Method getOwner, String unavailable) {
        this.lock = lock;
        this.getOwner = getOwner;
        this.unavailable = unavailable;
        this.thread = lock == null ? null : Thread.ofPlatform().daemon().name("bench-lock-sampler").start(this::loop);
    }

    /** Starts sampling the write lock of this SQLite file, or returns a sampler that reports why it cannot. */
    static WriteLockSampler start(Path dbFile) {
        try {
            Class<?> c = Class.forName("dev.conveyor.jdbc.sqlite.SqliteConnections");
            Field f = c.getDeclaredField("WRITE_LOCKS");
            f.setAccessible(true);
            @SuppressWarnings("unchecked")
            Map<Path, ReentrantLock> locks = (Map<Path, ReentrantLock>) f.get(null);
            ReentrantLock lock = locks.get(dbFile.toAbsolutePath().normalize());
            if (lock == null) return new WriteLockSampler(null, null, "no write lock for " + dbFile);
            Method owner = null;
            try {
                owner = ReentrantLock.class.getDeclaredMethod("getOwner");
                owner.setAccessible(true);
            } catch (RuntimeException e) {
                owner = null; // not opened: sample held/waiters only
            }
            return new WriteLockSampler(lock, owner, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return new WriteLockSampler(null, null, e.toString());
        }
    }

    private void loop() {
        while (running) {
            LockSupport.parkNanos(1_000_000);
            boolean locked = lock.isLocked();
            int q = lock.getQueueLength();
            String owner = null;
            if (locked && getOwner != null) {
                try {
                    Thread t = (Thread) getOwner.invoke(lock);
                    if (t != null) owner = names.computeIfAbsent(t, x -> Bench.threadGroup(x.getName()));
                } catch (ReflectiveOperationException ignored) {
                    // owner unknown
                }
            }
            synchronized (this) {
                samples++;
                if (locked) held++;
                waiters += q;
                if (owner != null) holders.merge(owner, 1L, Long::sum);
            }
        }
    }

    synchronized Map<String, Object> snapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (unavailable != null) {
            out.put("unavailable", unavailable);
            return out;
        }
        out.put("samples", samples);
        out.put("heldShare", samples == 0 ? 0 : TimedBroker.round(held / (double) samples, 3));
        out.put("meanWaiters", samples == 0 ? 0 : TimedBroker.round(waiters / (double) samples, 2));
        Map<String, Object> by = new LinkedHashMap<>();
        holders.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> by.put(e.getKey(), TimedBroker.round(e.getValue() / (double) samples, 3)));
        out.put("heldShareByHolder", by);
        return out;
    }

    synchronized void reset() {
        samples = held = waiters = 0;
        holders.clear();
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
