package dev.conveyor.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's arithmetic and the options, without running anything. */
class PeersReportTest {
    private static Map<String, Object> e2e(String system, String baseline, double median) {
        return Map.of("scenario", "e2e", "system", system, "baseline", baseline, "ok", true, "version", "v",
                "params", Map.of("jobs", 1000),
                "summary", Map.of("jobsPerSecond", Map.of("median", median, "min", median, "max", median)));
    }

    @Test
    void ratiosCompareWithConveyorOnTheSameBrokerAndSayWhenAPeerIsAhead() {
        PeerScenario sc = new PeerScenario("e2e", "e2e", 0, 256);
        String t = PeersReport.table(sc, List.of(
                e2e("conveyor-redis", "conveyor-redis", 100_000),
                e2e("bullmq", "conveyor-redis", 12_500),
                e2e("conveyor-postgres", "conveyor-postgres", 5_000),
                e2e("db-scheduler", "conveyor-postgres", 10_000)));
        assertThat(t).contains("| bullmq | v | 1,000 | 12,500 | 12,500 – 12,500 | Conveyor ×8.00 |");
        assertThat(t).contains("| db-scheduler | v | 1,000 | 10,000 | 10,000 – 10,000 | **peer ahead** (Conveyor ×0.50) |");
        assertThat(t).contains("| conveyor-redis | v | 1,000 | 100,000 | 100,000 – 100,000 | — |");
    }

    @Test
    void latencyIsPooledFromTheDriversHistograms() {
        var h = PeerStats.pool(List.of(Map.of("500", 98, "3000", 1), Map.of("1000000", 1)));
        assertThat(h.getTotalCount()).isEqualTo(100);
        assertThat(PeerStats.percentilesMs(h).get("p50")).isEqualTo(0.5);
        assertThat((Double) PeerStats.percentilesMs(h).get("max")).isBetween(999.0, 1001.0);
    }

    @Test
    void optionsSelectSystemsAndScenarioFamilies() {
        PeerOptions o = PeerOptions.parse(new String[] {"peers", "--only", "bullmq,conveyor-redis", "--scenario", "latency,io-200", "--runs=5"});
        assertThat(o.systems).containsExactly(PeerSystem.BULLMQ, PeerSystem.CONVEYOR_REDIS);
        assertThat(o.scenarios()).extracting(PeerScenario::name).containsExactly("latency-100", "latency-1000", "latency-10000", "io-200");
        assertThat(o.runs).isEqualTo(5);
        assertThat(PeerOptions.parse(new String[] {"--quick"}).scenarios()).extracting(PeerScenario::name)
                .containsExactly("throughput", "e2e", "latency-100", "io-200", "footprint");
        assertThatThrownBy(() -> PeerOptions.parse(new String[] {"--only", "sidekiq"})).hasMessageContaining("unknown system 'sidekiq'");
        assertThat(PeerSystem.RQ.baseline()).isEqualTo(PeerSystem.CONVEYOR_REDIS);
        assertThat(PeerSystem.GRAPHILE_WORKER.baseline()).isEqualTo(PeerSystem.CONVEYOR_POSTGRES);
    }
}
