package dev.conveyor.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The benchmark's entry point: {@code bench/run [--quick] [scenario...] [--broker memory|sqlite|sqlite-normal]}.
 * Runs each scenario on each broker, prints a line per run and a summary line per scenario and broker, and
 * writes {@code <out>/<scenario>-<broker>.json}. Exits 1 when a count check failed (jobs lost, duplicated or
 * not completed in time), 2 on bad arguments. See docs/BENCHMARKS.md.
 */
public final class Bench {
    private Bench() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("peers")) { // the side-by-side benchmark has its own options
            dev.conveyor.bench.peers.Peers.main(args);
            return;
        }
        BenchOptions o;
        try {
            o = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage() + " (bench/run --help lists the options)");
            System.exit(2);
            return;
        }
        if (o.help) {
            System.out.print(BenchOptions.USAGE);
            return;
        }
        if (o.jfrTop != null) {
            FlameGraph.Node stacks = null;
            try {
                JfrTop.print(o.jfrTop, o.top, System.out);
                if (o.flame != null) stacks = FlameGraph.fromJfr(o.jfrTop);
            } catch (IOException e) {
                System.err.println("bench: cannot read " + o.jfrTop + ": " + e.getMessage());
                System.exit(1);
            }
            if (stacks != null) {
                String title = o.flameTitle != null ? o.flameTitle : "CPU samples of " + o.jfrTop.getFileName();
                try {
                    FlameGraph.write(stacks, title, "JFR execution and native-method samples of " + o.jfrTop.getFileName(),
                            o.flame);
                } catch (IOException e) {
                    System.err.println("bench: cannot write " + o.flame + ": " + e.getMessage());
                    System.exit(1);
                }
            }
            return;
        }
        if (o.perfScript != null) {
            Path out = o.flame != null ? o.flame : Path.of(o.perfScript + ".svg");
            try {
                FlameGraph.Node root = FlameGraph.fromPerfScript(Files.readAllLines(o.perfScript));
                if (root.samples == 0) {
                    System.err.println("bench: no samples in " + o.perfScript
                            + " (expected the output of perf script after perf record -g)");
                    System.exit(1);
                }
                String title = o.flameTitle != null ? o.flameTitle : "CPU samples of " + o.perfScript.getFileName();
                FlameGraph.write(root, title, "perf samples of " + o.perfScript.getFileName(), out);
            } catch (IOException e) {
                System.err.println("bench: cannot read " + o.perfScript + " or write " + out + ": " + e.getMessage());
                System.exit(1);
            }
            return;
        }
        List<ScenarioResult> results = run(o);
        System.exit(results.stream().allMatch(ScenarioResult::ok) ? 0 : 1);
    }

    /** Runs every selected scenario on every selected broker; prints as it goes. */
    public static List<ScenarioResult> run(BenchOptions o) {
        boolean tempDir = o.dir == null;
        Path dir;
        try {
            dir = tempDir ? Files.createTempDirectory("conveyor-bench-") : Files.createDirectories(o.dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> env = Env.snapshot(o.brokers.stream().anyMatch(BrokerKind::isSqlite) ? dir : null);
        System.out.printf("conveyor bench%s: %s; %s cpus (%s), %s; %s%n", o.quick ? " --quick" : "",
                env.get("date"), env.get("cpus"), env.get("cpuModel"), env.get("memTotal"), env.get("java"));
        System.out.printf("  load average %s; other JVMs: %s%s%n", env.get("loadAverage"),
                ((List<?>) env.get("otherJavaProcesses")).size(),
                env.containsKey("dbDir") ? "; SQLite files in " + env.get("dbDir") + " on " + env.get("dbFileSystem") : "");
        if (String.valueOf(env.get("dbFileSystem")).startsWith("tmpfs")) {
            System.out.println("  WARNING: the SQLite directory is on tmpfs: fsync costs nothing there; use --dir on a real disk");
        }
        List<ScenarioResult> results = new ArrayList<>();
        try {
            for (ScenarioKind s : o.scenarios) {
                for (BrokerKind b : o.brokers) {
                    ScenarioResult r = switch (s) {
                        case THROUGHPUT -> ThroughputScenario.run(b, o, dir);
                        case ENQUEUE -> EnqueueScenario.run(b, o, dir);
                        case LATENCY -> LatencyScenario.run(b, o, dir);
                        case RETENTION -> RetentionScenario.run(b, o, dir);
                        case FAIRNESS -> FairnessScenario.run(b, o, dir);
                        case SOAK -> SoakScenario.run(b, o, dir);
                        case KILL_STORM -> KillStormScenario.run(b, o, dir);
                        case CRASH_LOOP -> CrashLoopScenario.run(b, o, dir);
                        case PAUSED_WORKER -> PausedWorkerScenario.run(b, o, dir);
                        case POISON_INPUT -> PoisonInputScenario.run(b, o, dir);
                        case LONG_JOBS -> LongJobsScenario.run(b, o, dir);
                        case BROKER_RESTART -> BrokerRestartScenario.run(b, o, dir);
                        case NET_FAULTS -> NetFaultsScenario.run(b, o, dir);
                        case CHAOS_SOAK -> ChaosSoakScenario.run(b, o, dir);
                    };
                    r.env = Env.snapshot(b.isSqlite() ? dir : null);
                    if (b.isServer()) r.env.put("server", ServerDb.version(b));
                    if (b.isRedis()) r.env.put("server", RedisRun.version());
                    r.env.put("loadAverageAtStart", env.get("loadAverage"));
                    r.env.put("otherJavaProcessesAtStart", env.get("otherJavaProcesses"));
                    if (o.write) {
                        try {
                            r.write(o.out);
                        } catch (IOException e) {
                            System.err.println("bench: cannot write " + o.out.resolve(r.fileName()) + ": " + e.getMessage());
                        }
                    }
                    System.out.println("= " + r.line + (r.written != null ? "  -> " + r.written : ""));
                    if (r.summary.get("medianRunCalls") instanceof Map<?, ?> calls && !o.quick) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> c = (Map<String, Object>) calls;
                        System.out.print(TimedBroker.describe(c));
                        if (c.get("writeLock") != null) System.out.println("      write lock: " + c.get("writeLock"));
                    }
                    if (r.summary.get("redisCommandsPerJob") != null) {
                        System.out.println("      Redis commands per job (INFO commandstats): " + r.summary.get("redisCommandsPerJob"));
                    }
                    for (String p : r.problems) System.out.println("  CHECK FAILED: " + p);
                    results.add(r);
                }
            }
        } finally {
            if (tempDir && !o.keep) deleteTree(dir);
        }
        long bad = results.stream().filter(r -> !r.ok()).count();
        System.out.println(bad == 0 ? "all counts checked: every job completed, none lost, no duplicate beyond what its scenario allows"
                : bad + " scenario(s) failed their count checks");
        return results;
    }

    /** A thread name with its numbers replaced by '*', so a pool's threads count as one. */
    static String threadGroup(String name) {
        if (name == null || name.isEmpty()) return "(unnamed)";
        return name.replaceAll("\\d+", "*");
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
