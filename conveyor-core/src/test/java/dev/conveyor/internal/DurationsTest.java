package dev.conveyor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void parsesShortFormsAndIso() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.parse("PT30S")).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void formatsWhatItParses() {
        for (String s : new String[] {"250ms", "30s", "5m", "2h", "1d"}) {
            assertThat(Durations.format(Durations.parse(s))).isEqualTo(s);
        }
    }

    @Test
    void rejectsGarbageWithTheExpectedForms() {
        assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("e.g. 250ms, 30s");
        assertThatThrownBy(() -> Durations.parse("-5s")).hasMessageContaining("invalid duration");
        assertThatThrownBy(() -> Durations.parse("")).hasMessageContaining("empty");
    }
}
