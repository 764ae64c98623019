package dev.conveyor.job;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Job ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits, so ids sort by creation
 * time and an index on them stays append-mostly. Within one millisecond the random part is replaced by a
 * counter, keeping ids from one generator strictly increasing.
 */
public final class JobIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong LAST = new AtomicLong(); // (millis << 12) | sequence
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /**
     * Random bytes drawn from {@link #RANDOM} 4 KiB at a time: eight at a time (a lock and a state update per call)
     * an id took 290-340 ns, against 140-170 now (BENCHMARKS.md, "The envelope by hand").
     */
    private static final byte[] POOL = new byte[4096];
    private static int drawn = POOL.length; // guarded by POOL

    private JobIds() {}

    public static String next(Clock clock) {
        long millis = clock.millis();
        long packed;
        while (true) {
            long last = LAST.get();
            long lastMillis = last >>> 12;
            long candidate = millis > lastMillis ? (millis << 12) | (randomLong() & 0x7FF) : last + 1;
            if (LAST.compareAndSet(last, candidate)) {
                packed = candidate;
                break;
            }
        }
        long ms = packed >>> 12;
        long seq = packed & 0xFFF;
        long msb = (ms << 16) | 0x7000L | seq;
        long lsb = (randomLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }

    private static long randomLong() {
        synchronized (POOL) {
            if (drawn > POOL.length - Long.BYTES) {
                RANDOM.nextBytes(POOL);
                drawn = 0;
            }
            long v = (long) LONGS.get(POOL, drawn);
            drawn += Long.BYTES;
            return v;
        }
    }
}
