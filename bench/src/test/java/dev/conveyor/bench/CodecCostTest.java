package dev.conveyor.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The smoke run of {@code bench/run codec}: every figure measured, bad options refused with what is known. */
class CodecCostTest {

    @Test
    void measuresEncodeDecodeAndIdsAndRefusesUnknownOptions() {
        double[] ns = CodecCost.measure(new String[] {"--n", "2000", "--rounds", "2"});
        assertThat(ns).hasSize(3);
        for (double v : ns) assertThat(v).isPositive();
        assertThatThrownBy(() -> CodecCost.measure(new String[] {"--jobs", "5"}))
                .hasMessageContaining("unknown option '--jobs'").hasMessageContaining("--n N");
        assertThatThrownBy(() -> CodecCost.measure(new String[] {"--rounds", "1"})).hasMessageContaining("--rounds at least 2");
    }
}
