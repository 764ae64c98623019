package dev.conveyor.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    @Test
    void exponentialWithFullJitterStaysUnderTheCeilingAndCap() {
        RetryPolicy p = RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofMinutes(1));
        SplittableRandom random = new SplittableRandom(1);
        for (int failures = 1; failures <= 30; failures++) {
            long ceiling = Math.min(60_000, 1000L << Math.min(failures - 1, 40));
            long max = 0;
            for (int i = 0; i < 2_000; i++) {
                long d = p.delay(failures, random).toMillis();
                assertThat(d).isBetween(0L, ceiling);
                max = Math.max(max, d);
            }
            // full jitter spreads over the whole range: the largest of 2,000 draws is near the ceiling
            assertThat(max).isGreaterThan(ceiling * 9 / 10);
        }
    }

    @Test
    void exponentialWithoutJitterDoublesUpToTheCap() {
        RetryPolicy p = RetryPolicy.exponentialNoJitter(Duration.ofSeconds(1), Duration.ofSeconds(10));
        SplittableRandom r = new SplittableRandom(1);
        assertThat(p.delay(1, r)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.delay(2, r)).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.delay(4, r)).isEqualTo(Duration.ofSeconds(8));
        assertThat(p.delay(5, r)).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.delay(100, r)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void fixedAndImmediate() {
        SplittableRandom r = new SplittableRandom(1);
        assertThat(RetryPolicy.fixed(Duration.ofSeconds(5)).delay(7, r)).isEqualTo(Duration.ofSeconds(5));
        assertThat(RetryPolicy.immediate().delay(1, r)).isZero();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageContaining("base must be positive");
        assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("cap");
        assertThatThrownBy(() -> RetryPolicy.fixed(Duration.ofSeconds(-1))).hasMessageContaining("negative");
    }
}
