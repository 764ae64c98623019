package dev.conveyor.bench.peers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Medians and pooled latency percentiles over a scenario's runs. */
final class PeerStats {
    private PeerStats() {}

    /** {median, min, max, runs} of the values (the median of an even count is the lower middle: a real run). */
    static Map<String, Object> summary(List<Double> values) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (values.isEmpty()) return m;
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        m.put("median", v.get((v.size() - 1) / 2));
        m.put("min", v.get(0));
        m.put("max", v.get(v.size() - 1));
        m.put("runs", v.size());
        return m;
    }

    /** Pools the drivers' latency maps (microseconds, 3 significant digits, to counts) into one histogram. */
    static Histogram pool(List<Map<String, Object>> latencyMaps) {
        Histogram h = new Histogram(3_600_000_000L, 3);
        for (Map<String, Object> m : latencyMaps) {
            for (Map.Entry<String, Object> e : m.entrySet()) {
                long v = Math.min(Long.parseLong(e.getKey()), h.getHighestTrackableValue());
                h.recordValueWithCount(v, ((Number) e.getValue()).longValue());
            }
        }
        return h;
    }

    /** p50, p90, p99, p99.9 and max in milliseconds, with the count. */
    static Map<String, Object> percentilesMs(Histogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.getTotalCount());
        if (h.getTotalCount() == 0) return m;
        m.put("p50", h.getValueAtPercentile(50) / 1000.0);
        m.put("p90", h.getValueAtPercentile(90) / 1000.0);
        m.put("p99", h.getValueAtPercentile(99) / 1000.0);
        m.put("p99.9", h.getValueAtPercentile(99.9) / 1000.0);
        m.put("max", h.getMaxValue() / 1000.0);
        return m;
    }
}
