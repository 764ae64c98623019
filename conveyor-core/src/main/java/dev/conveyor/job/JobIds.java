package dev.conveyor.job;

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

    private JobIds() {}

    public static String next(Clock clock) {
        long millis = clock.millis();
        long packed;
        while (true) {
            long last = LAST.get();
            long lastMillis = last >>> 12;
            long candidate = millis > lastMillis ? (millis << 12) | (RANDOM.nextInt(1 << 11)) : last + 1;
            if (LAST.compareAndSet(last, candidate)) {
                packed = candidate;
                break;
            }
        }
        long ms = packed >>> 12;
        long seq = packed & 0xFFF;
        long msb = (ms << 16) | 0x7000L | seq;
        long lsb = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }
}
