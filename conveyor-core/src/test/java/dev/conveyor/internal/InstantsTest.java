package dev.conveyor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fast paths give exactly java.time's answers: the same text out, the same instant (or error) in. */
class InstantsTest {
    private static final long YEAR_10000 = 253_402_300_800L;

    @Test
    void formatWritesWhatInstantToStringWrites() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            long seconds = random.nextLong(-YEAR_10000, 2 * YEAR_10000);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(seconds, nanos);
            assertThat(Instants.format(t)).as("%s", t).isEqualTo(t.toString());
        }
        for (Instant t : new Instant[] {Instant.EPOCH, Instant.ofEpochSecond(YEAR_10000 - 1, 999_999_999),
            Instant.ofEpochSecond(YEAR_10000), Instant.ofEpochSecond(-1), Instant.MIN, Instant.MAX}) {
            assertThat(Instants.format(t)).isEqualTo(t.toString());
        }
    }

    @Test
    void parseReadsWhatOffsetDateTimeReads() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(0, YEAR_10000), i % 2 == 0 ? 0 : random.nextInt(1_000_000_000));
            String text = t.toString();
            assertThat(Instants.parse(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant()).isEqualTo(t);
        }
        // Other forms go through java.time: offsets, lower case, fractions of any length, no seconds.
        for (String text : new String[] {"2026-11-25T15:00:00+02:00", "2026-11-25t15:00:00z", "2026-11-25T15:00:00.1Z",
            "2026-11-25T15:00:00.123456789Z", "2026-11-25T15:00Z", "0000-01-01T00:00:00Z", "2024-02-29T23:59:59.5Z",
            "+12026-11-25T15:00:00Z", "2026-11-25T15:00:00.Z"}) {
            assertThat(Instants.parse(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant());
        }
    }

    @Test
    void textThatIsNoInstantFailsAsJavaTimeFails() {
        for (String text : new String[] {"2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
            "2026-11-25T24:00:00Z", "2026-11-25T23:60:00Z", "2026-11-25T23:59:60Z",
            "2026-11-25T15:00:00.1234567890Z", "2026-11-25T15:00:00", "2026-11-25 15:00:00Z", "2026-1x-25T15:00:00Z",
            "not a date at all, not at all", "2026-11-25T15:00:00.12a4Z", ""}) {
            assertThatThrownBy(() -> Instants.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
            assertThatThrownBy(() -> OffsetDateTime.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
    }
}
