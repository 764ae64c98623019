package dev.conveyor.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Median, min and max of a few runs. */
record Summary(double median, double min, double max, int runs) {
    static Summary of(List<Double> values) {
        if (values.isEmpty()) return new Summary(Double.NaN, Double.NaN, Double.NaN, 0);
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        double median = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
        return new Summary(median, v.get(0), v.get(n - 1), n);
    }

    Map<String, Object> toMap(int digits) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median", TimedBroker.round(median, digits));
        m.put("min", TimedBroker.round(min, digits));
        m.put("max", TimedBroker.round(max, digits));
        m.put("runs", runs);
        return m;
    }

    /** "52,345 (min 50,100, max 53,900)" — or just the value for one run. */
    String describe(String format) {
        if (runs <= 1) return String.format(format, median);
        return String.format(format + " (min " + format + ", max " + format + ")", median, min, max);
    }
}
