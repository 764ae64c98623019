package dev.conveyor.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.AbstractHistogram;

/** Percentiles of a histogram of nanoseconds, in milliseconds. */
final class Latency {
    private Latency() {}

    static Map<String, Object> percentiles(AbstractHistogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.getTotalCount());
        m.put("p50", ms(h.getValueAtPercentile(50)));
        m.put("p90", ms(h.getValueAtPercentile(90)));
        m.put("p99", ms(h.getValueAtPercentile(99)));
        m.put("p99.9", ms(h.getValueAtPercentile(99.9)));
        m.put("max", ms(h.getMaxValue()));
        m.put("mean", TimedBroker.round(h.getMean() / 1e6, 3));
        return m;
    }

    static double ms(long nanos) {
        return TimedBroker.round(nanos / 1e6, 3);
    }
}
