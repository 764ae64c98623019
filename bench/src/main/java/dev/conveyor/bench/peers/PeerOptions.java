package dev.conveyor.bench.peers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code bench/run peers [options]}: what to run and how big; {@code --quick} is a smoke run. */
public final class PeerOptions {
    public static final String USAGE = """
            usage: bench/run peers [options]
              Conveyor (Redis, PostgreSQL, SQLite) and its peers (BullMQ, Celery, RQ on Redis; JobRunr, db-scheduler,
              graphile-worker on PostgreSQL) side by side, same machine, same servers, same run. Needs the peers
              installed by bench/peers/setup (bench/run runs it) and the local Redis and PostgreSQL.
              --quick              smoke run: tiny counts, 1 run each, only latency-100 and io-200
              --only S[,S...]      systems: conveyor-redis, conveyor-postgres, conveyor-sqlite, bullmq, celery, rq,
                                   jobrunr, db-scheduler, graphile-worker (default: all)
              --scenario S[,S...]  throughput, e2e, latency (= latency-100, -1000, -10000) or one rate, io (= io-200,
                                   io-2000) or one, footprint (default: all, in that order)
              --runs R             runs per scenario and system, each a fresh process and broker place; the median
                                   is reported (default 3; --quick 1)
              --jobs N             throughput, e2e: jobs per run (default 100000; Celery at most 20000, RQ 10000)
              --io-jobs N          io: jobs of 100 ms each (default 2000; RQ at most 100: one at a time)
              --concurrency C      worker concurrency in the no-op scenarios, the same for every system that has one
                                   (default 256)
              --duration S         latency: measured seconds per run (default 10), after --latency-warmup S (default 2)
              --cap S              a run that takes longer is killed and recorded as such (default 600)
              --fresh              run again what already has a result file (default: resume, skip those)
              --report-only        run nothing: write REPORT.md and the charts from the result files in --out
              --out DIR            where result files, REPORT.md and the charts go (default bench/results/peers)
            """;

    public boolean quick;
    public List<PeerSystem> systems = List.of(PeerSystem.values());
    public List<String> scenarioNames = List.of();
    public int runs = 3;
    public int jobs = 100_000;
    public int ioJobs = 2_000;
    public int concurrency = 256;
    public Duration latencyDuration = Duration.ofSeconds(10);
    public Duration latencyWarmup = Duration.ofSeconds(2);
    public int footprintJobs = 20_000;
    public Duration idle = Duration.ofSeconds(3);
    public Duration cap = Duration.ofSeconds(600);
    public boolean fresh;
    public boolean reportOnly;
    public boolean help;
    public Path out = Path.of("bench", "results", "peers");

    /** Smoke sizes: seconds per system. */
    public PeerOptions quick() {
        quick = true;
        runs = 1;
        jobs = 300;
        ioJobs = 200;
        footprintJobs = 200;
        concurrency = 64;
        latencyDuration = Duration.ofMillis(500);
        latencyWarmup = Duration.ofMillis(200);
        idle = Duration.ofMillis(800);
        cap = Duration.ofSeconds(90);
        fresh = true;
        return this;
    }

    public List<PeerScenario> scenarios() {
        return PeerScenario.select(PeerScenario.all(quick, concurrency), scenarioNames);
    }

    public static PeerOptions parse(String[] args) {
        PeerOptions o = new PeerOptions();
        if (Arrays.asList(args).contains("--quick")) o.quick();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                v = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "peers", "--quick" -> { }
                case "--fresh" -> o.fresh = true;
                case "--report-only" -> o.reportOnly = true;
                case "-h", "--help" -> o.help = true;
                default -> {
                    if (v == null) {
                        if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                        v = args[++i];
                    }
                    switch (a) {
                        case "--only" -> o.systems = list(v).stream().map(PeerSystem::parse).distinct().toList();
                        case "--scenario" -> o.scenarioNames = list(v);
                        case "--runs" -> o.runs = positive(a, v);
                        case "--jobs" -> o.jobs = positive(a, v);
                        case "--io-jobs" -> o.ioJobs = positive(a, v);
                        case "--concurrency" -> o.concurrency = positive(a, v);
                        case "--duration" -> o.latencyDuration = Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
                        case "--latency-warmup" -> o.latencyWarmup = Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
                        case "--cap" -> o.cap = Duration.ofSeconds(positive(a, v));
                        case "--out" -> o.out = Path.of(v);
                        default -> throw new IllegalArgumentException("unknown option " + a);
                    }
                }
            }
        }
        o.scenarios(); // validates the names
        return o;
    }

    private static List<String> list(String v) {
        List<String> l = new ArrayList<>();
        for (String s : v.split(",")) if (!s.isBlank()) l.add(s.trim());
        return l;
    }

    private static int positive(String opt, String v) {
        int n;
        try {
            n = Integer.parseInt(v.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " wants a number, not '" + v + "'");
        }
        if (n <= 0) throw new IllegalArgumentException(opt + " must be positive");
        return n;
    }
}
