package dev.conveyor.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdsTest {
    @Test
    void idsAreVersion7AndStrictlyIncreasing() {
        Clock fixed = Clock.fixed(Instant.parse("2026-11-25T15:00:00Z"), ZoneOffset.UTC);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) ids.add(JobIds.next(fixed));
        for (int i = 1; i < ids.size(); i++) assertThat(ids.get(i)).isGreaterThan(ids.get(i - 1));
        UUID u = UUID.fromString(ids.get(0));
        assertThat(u.version()).isEqualTo(7);
        assertThat(u.variant()).isEqualTo(2);
    }

    /** The random bits come from a pool refilled every 512 draws: across many refills no two ids share them. */
    @Test
    void randomBitsDoNotRepeatAcrossRefillsOfThePool() {
        java.util.Set<Long> randomBits = new java.util.HashSet<>();
        Clock moving = Clock.systemUTC();
        for (int i = 0; i < 5_000; i++) {
            assertThat(randomBits.add(UUID.fromString(JobIds.next(moving)).getLeastSignificantBits())).as("id %d", i).isTrue();
        }
    }

    @Test
    void idsCarryTheClocksMilliseconds() {
        Instant t = Instant.parse("2030-01-01T00:00:00Z");
        String id = JobIds.next(Clock.fixed(t, ZoneOffset.UTC));
        long ms = UUID.fromString(id).getMostSignificantBits() >>> 16;
        assertThat(ms).isGreaterThanOrEqualTo(t.toEpochMilli());
    }
}
