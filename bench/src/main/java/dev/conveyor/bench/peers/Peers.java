package dev.conveyor.bench.peers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code bench/run peers}: Conveyor and its peers side by side (docs/BENCHMARKS.md, "Peers side by side").
 * Checks that every selected system's driver can run (a missing peer is an error naming what to install, never
 * a silent skip), runs the scenarios ({@link PeersRun}), then writes the report and charts ({@link PeersReport}).
 */
public final class Peers {
    private Peers() {}

    /** Exit codes: 0 all runs recorded every job, 1 a run failed or a peer is missing, 2 bad arguments. */
    public static void main(String[] args) {
        PeerOptions o;
        try {
            o = PeerOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench peers: " + e.getMessage() + " (bench/run peers --help)");
            System.exit(2);
            return;
        }
        if (o.help) {
            System.out.print(PeerOptions.USAGE);
            return;
        }
        try {
            Outcome out = run(o);
            System.exit(out.ok() ? 0 : 1);
        } catch (Exception e) {
            System.err.println("bench peers: " + e.getMessage());
            System.exit(1);
        }
    }

    /** What a peers run did: every (scenario, system) result, the report, and the failures. */
    public record Outcome(List<Map<String, Object>> results, Path report, List<String> failures) {
        public boolean ok() {
            return failures.isEmpty();
        }
    }

    /** Runs everything selected; throws naming what is missing before it starts anything. */
    public static Outcome run(PeerOptions o) throws Exception {
        if (o.reportOnly) return report(o, PeersRun.readAll(o));
        PeerPaths paths = PeerPaths.find();
        List<String> missing = new ArrayList<>();
        for (PeerSystem s : o.systems) missing.addAll(paths.missing(s));
        if (!missing.isEmpty()) {
            throw new IllegalStateException("cannot run the peers benchmark, missing:\n  - " + String.join("\n  - ", missing));
        }
        System.out.printf("bench peers%s: %s; systems %s; scenarios %s; %d run(s) each; results in %s%n",
                o.quick ? " --quick" : "", java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).withNano(0),
                o.systems.stream().map(PeerSystem::label).toList(), o.scenarios().stream().map(PeerScenario::name).toList(),
                o.runs, o.out);
        if (o.quick) System.out.println("  --quick: smoke sizes; the figures prove the drivers work, they are not results");
        return report(o, new PeersRun(o, paths).runAll());
    }

    private static Outcome report(PeerOptions o, List<Map<String, Object>> results) throws java.io.IOException {
        Path report = PeersReport.write(o.out, o.scenarios(), results, o);
        List<String> failures = new ArrayList<>();
        for (Map<String, Object> r : results) {
            if (!Boolean.TRUE.equals(r.get("ok"))) failures.add(r.get("scenario") + " " + r.get("system") + ": " + r.get("problems"));
        }
        System.out.println("report: " + report);
        failures.forEach(f -> System.out.println("  FAILED: " + f));
        return new Outcome(results, report, failures);
    }
}
