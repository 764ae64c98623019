package dev.conveyor.bench.peers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/** A PNG bar chart per scenario (xchart): each system's median figure; latency as p50 and p99 on a log axis. */
final class PeerCharts {
    private PeerCharts() {}

    /** Writes {@code <out>/<scenario>.png}; null when no system has a figure. */
    @SuppressWarnings("unchecked")
    static Path write(Path out, PeerScenario sc, List<Map<String, Object>> rows) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> names = new ArrayList<>();
        List<Number> a = new ArrayList<>();
        List<Number> b = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            if (!Boolean.TRUE.equals(r.get("ok")) || !(r.get("summary") instanceof Map<?, ?> s0)) continue;
            Map<String, Object> s = (Map<String, Object>) s0;
            Double x = null;
            Double y = null;
            switch (sc.figure()) {
                case JOBS_PER_SECOND -> x = num(s.get("jobsPerSecond"), "median");
                case WALL -> x = num(s.get("wallMs"), "median");
                case LATENCY -> {
                    x = num(s.get("latencyMs"), "p50");
                    y = num(s.get("latencyMs"), "p99");
                }
                case FOOTPRINT -> {
                    x = num(s.get("rssIdleMb"), "median");
                    y = num(s.get("rssMaxMb"), "median");
                }
            }
            if (x == null) continue;
            names.add((String) r.get("system"));
            a.add(x);
            b.add(y == null ? 0 : y);
        }
        if (names.isEmpty()) return null;
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(520).title(PeersReport.title(sc))
                .xAxisTitle("system").yAxisTitle(switch (sc.figure()) {
                    case JOBS_PER_SECOND -> "jobs/s (median)";
                    case WALL -> "wall ms (median; lower is better)";
                    case LATENCY -> "ms (lower is better, log scale)";
                    case FOOTPRINT -> "MB";
                }).build();
        chart.getStyler().setLegendVisible(sc.figure() == PeerScenario.Figure.LATENCY || sc.figure() == PeerScenario.Figure.FOOTPRINT);
        chart.getStyler().setXAxisLabelRotation(20);
        switch (sc.figure()) {
            case LATENCY -> {
                // Latencies span µs to seconds (JobRunr polls every 5 s): a log axis, with points, since xchart
                // refuses a log axis under bars (a bar starts at 0).
                chart.getStyler().setYAxisLogarithmic(true);
                chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Scatter);
                chart.getStyler().setMarkerSize(12);
                chart.addSeries("p50", names, positive(a));
                chart.addSeries("p99", names, positive(b));
            }
            case FOOTPRINT -> {
                chart.addSeries("RSS idle", names, a);
                chart.addSeries("RSS under load (max)", names, b);
            }
            default -> chart.addSeries(sc.name(), names, a);
        }
        Path file = out.resolve(sc.name() + ".png");
        BitmapEncoder.saveBitmap(chart, out.resolve(sc.name()).toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /** A log axis cannot show 0: a latency under the 1 µs resolution is drawn at 0.001 ms. */
    private static List<Number> positive(List<Number> l) {
        return l.stream().map(n -> (Number) Math.max(0.001, n.doubleValue())).toList();
    }

    private static Double num(Object m, String k) {
        return m instanceof Map<?, ?> map && map.get(k) instanceof Number n ? n.doubleValue() : null;
    }
}
