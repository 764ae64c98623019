package dev.conveyor.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DurabilityCheckTest {
    private static final String WHERE = "Redis at h:1";

    @Test
    void aofWithFsyncAlwaysAndNoEvictionIsQuiet() {
        assertThat(DurabilityCheck.assess(WHERE, Map.of("appendonly", "yes", "appendfsync", "always",
                "maxmemory-policy", "noeviction"))).isEmpty();
    }

    @Test
    void eachRiskGetsItsOwnWarning() {
        assertThat(DurabilityCheck.assess(WHERE, Map.of("appendonly", "no", "appendfsync", "everysec",
                "maxmemory-policy", "allkeys-lru"))).satisfiesExactly(
                w -> assertThat(w).contains("appendonly=no").contains("lost"),
                w -> assertThat(w).contains("maxmemory-policy=allkeys-lru").contains("silently"));
        assertThat(DurabilityCheck.assess(WHERE, Map.of("appendonly", "yes", "appendfsync", "everysec",
                "maxmemory-policy", "noeviction"))).singleElement().asString()
                .contains("appendfsync=everysec").contains("~1 s");
    }

    @Test
    void anEmptyAnswerSaysItCouldNotCheck() {
        assertThat(DurabilityCheck.assess(WHERE, Map.of())).singleElement().asString().contains("could not check");
    }
}
