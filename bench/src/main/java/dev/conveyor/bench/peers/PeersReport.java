package dev.conveyor.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report of a peers run: one Markdown table per scenario, with each system's figure and its ratio to
 * Conveyor on the same broker (conveyor-redis for BullMQ, Celery and RQ; conveyor-postgres for JobRunr,
 * db-scheduler and graphile-worker), a table of broker calls per job, and a PNG chart per scenario
 * ({@link PeerCharts}). Written to {@code <out>/REPORT.md}; docs/BENCHMARKS.md takes its tables from there.
 * Ratios read "Conveyor ×N": N > 1 means Conveyor is ahead by that factor, N < 1 that the peer is ahead.
 */
final class PeersReport {
    private PeersReport() {}

    /** One line per run for the console. */
    @SuppressWarnings("unchecked")
    static String describeRun(PeerScenario sc, PeerSystem s, Map<String, Object> run) {
        Map<String, Object> d = (Map<String, Object>) run.getOrDefault("driver", Map.of());
        String fig = switch (sc.figure()) {
            case JOBS_PER_SECOND, FOOTPRINT -> d.get("jobsPerSecond") instanceof Number n ? String.format("%,.0f jobs/s", n.doubleValue()) : "-";
            case WALL -> d.get("wallMs") instanceof Number n ? String.format("wall %,.0f ms", n.doubleValue()) : "-";
            case LATENCY -> d.get("latencyUs") instanceof Map<?, ?> l
                    ? String.format("p50 %.2f ms, p99 %.2f ms", p((Map<String, Object>) l, 50), p((Map<String, Object>) l, 99)) : "-";
        };
        Map<String, Object> cost = (Map<String, Object>) run.getOrDefault("cost", Map.of());
        Object perJob = cost.containsKey("redisCallsPerJob") ? cost.get("redisCallsPerJob") : cost.get("commitsPerJob");
        return String.format("%-10s %-17s run %s: %-28s %,d jobs; start-up %s ms; RSS max %.0f MB%s%s",
                sc.name(), s.label(), run.get("run"), fig, ((Number) d.getOrDefault("jobs", 0)).longValue(),
                run.get("startupMs"), ((Number) run.get("rssMaxKb")).longValue() / 1024.0,
                perJob instanceof Number n ? String.format("; %.2f %s per job", n.doubleValue(),
                        cost.containsKey("redisCallsPerJob") ? "Redis calls" : "commits") : "",
                Boolean.TRUE.equals(run.get("ok")) ? "" : "  FAILED: " + run.get("problem"));
    }

    private static double p(Map<String, Object> latencyUs, double pct) {
        return PeerStats.pool(List.of(latencyUs)).getValueAtPercentile(pct) / 1000.0;
    }

    /** Writes REPORT.md and the charts; returns the report's path. */
    static Path write(Path out, List<PeerScenario> scenarios, List<Map<String, Object>> results, PeerOptions o) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Conveyor and its peers, side by side\n\n");
        md.append(PeersEnv.markdown(results, o)).append('\n');
        for (PeerScenario sc : scenarios) {
            List<Map<String, Object>> rows = results.stream().filter(r -> sc.name().equals(r.get("scenario"))).toList();
            if (rows.isEmpty()) continue;
            md.append("## ").append(title(sc)).append("\n\n");
            md.append(table(sc, rows)).append('\n');
            try {
                Path chart = PeerCharts.write(out, sc, rows);
                if (chart != null) md.append("![").append(sc.name()).append("](").append(chart.getFileName()).append(")\n\n");
            } catch (RuntimeException e) { // a chart is not worth losing the tables for
                md.append("(no chart: ").append(e.getMessage()).append(")\n\n");
                System.err.println("bench peers: chart of " + sc.name() + " failed: " + e);
            }
        }
        List<Map<String, Object>> e2e = results.stream().filter(r -> "e2e".equals(r.get("scenario"))).toList();
        if (!e2e.isEmpty()) md.append("## Cost per job (from the end-to-end runs)\n\n").append(costTable(e2e)).append('\n');
        Path file = out.resolve("REPORT.md");
        Files.writeString(file, md);
        return file;
    }

    static String title(PeerScenario sc) {
        return switch (sc.driverScenario()) {
            case "throughput" -> "Throughput: bulk enqueue, then drain (jobs/s)";
            case "e2e" -> "End to end: enqueue while draining (jobs/s)";
            case "latency" -> String.format("Latency: enqueue to start at %,d jobs/s offered, open loop", sc.rate());
            case "io" -> String.format("I/O-bound: jobs sleeping 100 ms, concurrency %,d (wall time)", sc.concurrency());
            default -> "Footprint: start-up and resident memory";
        };
    }

    @SuppressWarnings("unchecked")
    static String table(PeerScenario sc, List<Map<String, Object>> rows) {
        Map<String, Map<String, Object>> bySystem = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) bySystem.put((String) r.get("system"), r);
        StringBuilder t = new StringBuilder();
        switch (sc.figure()) {
            case JOBS_PER_SECOND -> t.append("| system | version | jobs per run | jobs/s, median | min – max | ratio to Conveyor |\n| --- | --- | --- | --- | --- | --- |\n");
            case LATENCY -> t.append("| system | version | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | p99 per run | ratio to Conveyor (p50 / p99) |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
            case WALL -> t.append("| system | version | jobs | wall ms, median | min – max | ideal ms | ratio to Conveyor (jobs/s) |\n| --- | --- | --- | --- | --- | --- | --- |\n");
            case FOOTPRINT -> t.append("| system | version | start-up ms, median | RSS idle MB | RSS under load MB (max) | ratio to Conveyor (idle RSS) |\n| --- | --- | --- | --- | --- | --- |\n");
        }
        for (Map<String, Object> r : rows) {
            String name = (String) r.get("system");
            String version = String.valueOf(r.getOrDefault("version", ""));
            if (r.get("skipped") != null) {
                t.append("| ").append(name).append(" | ").append(version).append(" | not run: ").append(r.get("skipped")).append(" |\n");
                continue;
            }
            if (!Boolean.TRUE.equals(r.get("ok"))) {
                t.append("| ").append(name).append(" | ").append(version).append(" | FAILED: ").append(r.get("problems")).append(" |\n");
                continue;
            }
            Map<String, Object> s = (Map<String, Object>) r.get("summary");
            Map<String, Object> params = (Map<String, Object>) r.get("params");
            Map<String, Object> base = bySystem.get((String) r.get("baseline"));
            boolean isBase = name.equals(r.get("baseline"));
            switch (sc.figure()) {
                case JOBS_PER_SECOND -> {
                    Map<String, Object> j = (Map<String, Object>) s.get("jobsPerSecond");
                    t.append(String.format("| %s | %s | %,d | %,.0f | %,.0f – %,.0f | %s |\n", name, version,
                            ((Number) params.get("jobs")).intValue(), num(j, "median"), num(j, "min"), num(j, "max"),
                            isBase ? "—" : ratio(fig(base, "jobsPerSecond", "median"), num(j, "median"))));
                }
                case LATENCY -> {
                    Map<String, Object> l = (Map<String, Object>) s.get("latencyMs");
                    Map<String, Object> per = (Map<String, Object>) s.get("p99PerRunMs");
                    t.append(String.format("| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f – %.2f | %s |\n", name, version,
                            num(l, "p50"), num(l, "p90"), num(l, "p99"), num(l, "p99.9"), num(l, "max"), num(per, "min"), num(per, "max"),
                            isBase ? "—" : ratio(num(l, "p50"), fig(base, "latencyMs", "p50")) + " / "
                                    + ratio(num(l, "p99"), fig(base, "latencyMs", "p99"))));
                }
                case WALL -> {
                    Map<String, Object> w = (Map<String, Object>) s.get("wallMs");
                    int jobs = ((Number) params.get("jobs")).intValue();
                    double ideal = Math.ceil((double) jobs / Math.min(sc.concurrency(), concurrencyOf(name, sc))) * 100;
                    double baseRate = base == null ? Double.NaN : ((Number) ((Map<String, Object>) base.get("params")).get("jobs")).doubleValue()
                            / fig(base, "wallMs", "median");
                    t.append(String.format("| %s | %s | %,d | %,.0f | %,.0f – %,.0f | %,.0f | %s |\n", name, version, jobs,
                            num(w, "median"), num(w, "min"), num(w, "max"), ideal,
                            isBase ? "—" : ratio(baseRate, jobs / num(w, "median"))));
                }
                case FOOTPRINT -> {
                    Map<String, Object> st = (Map<String, Object>) s.get("startupMs");
                    Map<String, Object> idle = (Map<String, Object>) s.get("rssIdleMb");
                    Map<String, Object> max = (Map<String, Object>) s.get("rssMaxMb");
                    t.append(String.format("| %s | %s | %,.0f | %,.0f | %,.0f | %s |\n", name, version, num(st, "median"),
                            num(idle, "median"), num(max, "median"),
                            isBase ? "—" : ratio(num(idle, "median"), fig(base, "rssIdleMb", "median"))));
                }
            }
        }
        return t.toString();
    }

    /** RQ runs one job at a time, whatever the scenario asks. */
    private static int concurrencyOf(String system, PeerScenario sc) {
        return system.equals("rq") ? 1 : sc.concurrency();
    }

    @SuppressWarnings("unchecked")
    static String costTable(List<Map<String, Object>> e2e) {
        StringBuilder t = new StringBuilder("| system | broker calls per job | what was counted |\n| --- | --- | --- |\n");
        for (Map<String, Object> r : e2e) {
            if (!Boolean.TRUE.equals(r.get("ok")) || r.get("summary") == null) continue;
            Map<String, Object> c = (Map<String, Object>) ((Map<String, Object>) r.get("summary")).get("brokerCallsPerJob");
            String sys = (String) r.get("system");
            PeerSystem ps = PeerSystem.parse(sys);
            String what = switch (ps.broker()) {
                case REDIS -> "Redis commands (INFO commandstats delta, server-wide) per job";
                case POSTGRES -> "PostgreSQL commits (pg_stat_database.xact_commit of the run's database) per job";
                case SQLITE -> "not measured (embedded)";
            };
            t.append(String.format("| %s | %s | %s |\n", sys, c.get("median") instanceof Number n ? String.format("%.3f", n.doubleValue()) : "—", what));
        }
        return t.toString();
    }

    @SuppressWarnings("unchecked")
    private static double fig(Map<String, Object> result, String key, String stat) {
        if (result == null || !(result.get("summary") instanceof Map<?, ?> s)) return Double.NaN;
        return num((Map<String, Object>) ((Map<String, Object>) s).get(key), stat);
    }

    private static double num(Map<String, Object> m, String k) {
        return m != null && m.get(k) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /**
     * "Conveyor ×N" where N = good ÷ other when more is better for Conveyor's figure (jobs/s: Conveyor ÷ peer;
     * latency, RSS: peer ÷ Conveyor); "peer ahead" when N < 1.
     */
    static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b == 0) return "—";
        double r = a / b;
        return r >= 1 ? String.format("Conveyor ×%.2f", r) : String.format("**peer ahead** (Conveyor ×%.2f)", r);
    }
}
