package dev.conveyor.bench.peers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the selected scenarios on the selected systems, scenario by scenario, each system {@code runs} times,
 * every run a fresh driver process on a fresh broker place; writes {@code <out>/<scenario>-<system>.json} after
 * each (scenario, system), so an interrupted run resumes where it stopped (without {@code --fresh}, a file that
 * exists with the same parameters is kept and not run again).
 */
final class PeersRun {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final PeerOptions o;
    private final PeerPaths paths;

    PeersRun(PeerOptions o, PeerPaths paths) {
        this.o = o;
        this.paths = paths;
    }

    /** Every (scenario, system) result, as written (or found, when resumed). */
    List<Map<String, Object>> runAll() throws IOException, InterruptedException {
        Files.createDirectories(o.out);
        List<Map<String, Object>> all = new ArrayList<>();
        for (PeerScenario sc : o.scenarios()) {
            System.out.println("== " + sc.name());
            for (PeerSystem s : o.systems) {
                Path file = o.out.resolve(sc.name() + "-" + s.label() + ".json");
                Map<String, Object> params = params(sc, s);
                Map<String, Object> previous = read(file);
                if (!o.fresh && previous != null && params.equals(previous.get("params"))
                        && (Boolean.TRUE.equals(previous.get("ok")) || previous.get("skipped") != null)) {
                    System.out.println("  " + s.label() + ": kept " + file.getFileName() + " (--fresh runs it again)");
                    all.add(previous);
                    continue;
                }
                Map<String, Object> r = runScenario(sc, s, params);
                JSON.writeValue(file.toFile(), r);
                all.add(r);
            }
        }
        return all;
    }

    /** The result files of the selected scenarios and systems in {@code --out} (for {@code --report-only}). */
    static List<Map<String, Object>> readAll(PeerOptions o) throws IOException {
        List<Map<String, Object>> all = new ArrayList<>();
        for (PeerScenario sc : o.scenarios()) {
            for (PeerSystem s : o.systems) {
                Map<String, Object> r = read(o.out.resolve(sc.name() + "-" + s.label() + ".json"));
                if (r != null) all.add(r);
            }
        }
        return all;
    }

    private Map<String, Object> params(PeerScenario sc, PeerSystem s) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("quick", o.quick);
        p.put("runs", o.runs);
        p.put("jobs", jobs(sc, s));
        p.put("concurrency", sc.concurrency());
        if (sc.rate() > 0) {
            p.put("rate", sc.rate());
            p.put("durationMs", o.latencyDuration.toMillis());
            p.put("warmupMs", o.latencyWarmup.toMillis());
        }
        if (sc.driverScenario().equals("io")) p.put("sleepMs", 100);
        if (sc.driverScenario().equals("footprint")) p.put("idleMs", o.idle.toMillis());
        return p;
    }

    /** Jobs per run for this system: the option, lowered for the slow peers (the report states the count). */
    private int jobs(PeerScenario sc, PeerSystem s) {
        return switch (sc.driverScenario()) {
            case "io" -> Math.min(o.ioJobs, s.maxIoJobs());
            case "footprint" -> Math.min(o.footprintJobs, s.maxNoopJobs());
            case "latency" -> (int) ((o.latencyWarmup.toMillis() + o.latencyDuration.toMillis()) * sc.rate() / 1000);
            default -> Math.min(o.jobs, s.maxNoopJobs());
        };
    }

    private Map<String, Object> runScenario(PeerScenario sc, PeerSystem s, Map<String, Object> params)
            throws IOException, InterruptedException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("scenario", sc.name());
        doc.put("system", s.label());
        doc.put("baseline", s.baseline().label());
        doc.put("params", params);
        String skip = skipReason(sc, s);
        if (skip != null) {
            System.out.println("  " + s.label() + ": not run: " + skip);
            doc.put("skipped", skip);
            doc.put("ok", true);
            return doc;
        }
        List<Map<String, Object>> runs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int r = 1; r <= o.runs; r++) {
            Map<String, Object> run = runOnce(sc, s, (Integer) params.get("jobs"), r);
            runs.add(run);
            if (!Boolean.TRUE.equals(run.get("ok"))) problems.add("run " + r + ": " + run.get("problem"));
            System.out.println("  " + PeersReport.describeRun(sc, s, run));
        }
        doc.put("ok", problems.isEmpty());
        doc.put("problems", problems);
        doc.put("summary", summarize(sc, runs));
        doc.put("version", fromDrivers(runs, "version"));
        doc.put("settings", fromDrivers(runs, "settings"));
        doc.put("env", Map.of("date", java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).withNano(0).toString(),
                "loadAverage", loadAverage(), "server", BrokerPlace.describe(s.broker())));
        doc.put("runs", runs);
        return doc;
    }

    /** A field of the first driver result that has it (version, settings). */
    private static Object fromDrivers(List<Map<String, Object>> runs, String key) {
        for (Map<String, Object> m : runs) {
            if (m.get("driver") instanceof Map<?, ?> d && d.get(key) != null) return d.get(key);
        }
        return null;
    }

    /** Latency rates beyond what a system drains end to end (from this run's e2e result) are not offered to it. */
    private String skipReason(PeerScenario sc, PeerSystem s) throws IOException {
        if (sc.rate() <= 0 || o.quick) return null; // a smoke's e2e figure is a cold start, not a rate
        Map<String, Object> e2e = read(o.out.resolve("e2e-" + s.label() + ".json"));
        if (e2e == null || !(e2e.get("summary") instanceof Map<?, ?> sum) || !(sum.get("jobsPerSecond") instanceof Map<?, ?> j)
                || !(j.get("median") instanceof Number median)) {
            return null;
        }
        if (median.doubleValue() * 0.8 < sc.rate()) {
            return String.format("%,d jobs/s offered is more than 80 %% of its end-to-end rate (%,.0f jobs/s): it could only queue up", sc.rate(), median.doubleValue());
        }
        return null;
    }

    private Map<String, Object> runOnce(PeerScenario sc, PeerSystem s, int jobs, int r) throws IOException, InterruptedException {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", r);
        try (BrokerPlace place = BrokerPlace.open(s.broker())) {
            List<String> cmd = DriverCommand.build(paths, s, sc, jobs, o, place.driverArgs());
            long idleSample = sc.driverScenario().equals("footprint") ? o.idle.toMillis() * 4 / 5 : 0;
            DriverProcess.Outcome out = DriverProcess.run(cmd, DriverCommand.env(paths, s), paths.root, o.cap.toMillis(), idleSample);
            run.put("ok", out.ok());
            if (!out.ok()) {
                run.put("problem", out.timedOut() ? "killed at the cap of " + o.cap.toSeconds() + " s"
                        : out.result() == null ? "no RESULT line (exit " + out.exit() + "): " + out.stderrTail()
                        : "exit " + out.exit() + ", " + out.result().getOrDefault("error", "not every job recorded: "
                        + out.result().get("completed") + " of " + out.result().get("jobs")));
            }
            run.put("startupMs", out.startupMs());
            run.put("rssMaxKb", out.rssMaxKb());
            if (out.rssIdleKb() >= 0) run.put("rssIdleKb", out.rssIdleKb());
            run.put("cost", place.cost(jobs));
            run.put("driver", out.result() == null ? Map.of() : out.result());
            if (!out.ok()) run.put("stderrTail", out.stderrTail());
        }
        return run;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> summarize(PeerScenario sc, List<Map<String, Object>> runs) {
        Map<String, Object> s = new LinkedHashMap<>();
        List<Map<String, Object>> good = runs.stream().filter(m -> Boolean.TRUE.equals(m.get("ok"))).toList();
        List<Double> startup = new ArrayList<>();
        List<Double> rssMax = new ArrayList<>();
        List<Double> rssIdle = new ArrayList<>();
        List<Double> rps = new ArrayList<>();
        List<Double> wall = new ArrayList<>();
        List<Double> costs = new ArrayList<>();
        List<Map<String, Object>> lat = new ArrayList<>();
        for (Map<String, Object> m : good) {
            Map<String, Object> d = (Map<String, Object>) m.get("driver");
            if (((Number) m.get("startupMs")).longValue() >= 0) startup.add(((Number) m.get("startupMs")).doubleValue());
            rssMax.add(((Number) m.get("rssMaxKb")).doubleValue() / 1024);
            if (m.get("rssIdleKb") instanceof Number n) rssIdle.add(n.doubleValue() / 1024);
            if (d.get("jobsPerSecond") instanceof Number n) rps.add(n.doubleValue());
            if (d.get("wallMs") instanceof Number n) wall.add(n.doubleValue());
            if (d.get("latencyUs") instanceof Map<?, ?> l) lat.add((Map<String, Object>) l);
            Map<String, Object> c = (Map<String, Object>) m.get("cost");
            Object perJob = c.containsKey("redisCallsPerJob") ? c.get("redisCallsPerJob") : c.get("commitsPerJob");
            if (perJob instanceof Number n) costs.add(n.doubleValue());
        }
        switch (sc.figure()) {
            case JOBS_PER_SECOND -> s.put("jobsPerSecond", PeerStats.summary(rps));
            case WALL -> s.put("wallMs", PeerStats.summary(wall));
            case LATENCY -> {
                s.put("latencyMs", PeerStats.percentilesMs(PeerStats.pool(lat)));
                s.put("p99PerRunMs", PeerStats.summary(lat.stream()
                        .map(l -> PeerStats.pool(List.of(l)).getValueAtPercentile(99) / 1000.0).toList()));
            }
            case FOOTPRINT -> {
                s.put("rssIdleMb", PeerStats.summary(rssIdle));
                s.put("jobsPerSecond", PeerStats.summary(rps));
            }
        }
        s.put("startupMs", PeerStats.summary(startup));
        s.put("rssMaxMb", PeerStats.summary(rssMax));
        s.put("brokerCallsPerJob", PeerStats.summary(costs));
        return s;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return null;
        try {
            return JSON.readValue(file.toFile(), LinkedHashMap.class);
        } catch (IOException e) {
            return null; // a file cut short by a kill: run it again
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
