package dev.conveyor.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/** What to run and how big: the defaults are the documented benchmark, {@code --quick} a smoke run of seconds. */
public final class BenchOptions {
    public static final String USAGE = """
            usage: bench/run [options] [scenario...]
              scenarios: throughput, enqueue, latency (default: these three), retention, fairness, soak, kill-storm, crash-loop, paused-worker, poison-input,
                         long-jobs, broker-restart, net-faults, chaos-soak (only when named)
              --broker B[,B...]    memory, sqlite (synchronous=FULL), sqlite-normal, postgres, mariadb, redis, or all
                                   (default: memory, sqlite, sqlite-normal; repeatable). postgres and mariadb need
                                   the local servers: PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth,
                                   database test) and MariaDB at 127.0.0.1:3306 (user root, no password); each run
                                   gets a fresh schema / database conveyor_bench_<random>, dropped after it
              --quick              a smoke run of a few seconds: tiny N, one run, results not written
              --runs R             measured runs per scenario and broker; the median is reported (default 3)
              --n N                throughput: jobs measured per run (default 100000)
              --warmup N           throughput: jobs run before each measured run, same broker (default 20000)
              --producer-batch N   throughput: jobs per enqueueAll call (default 1000)
              --concurrency C      worker concurrency (default 512)
              --fetch-batch B      worker fetch batch (default 256)
              --enqueue-n N        enqueue: jobs enqueued one at a time per run (default 20000)
              --enqueue-warmup N   enqueue: jobs before each measured run (default 2000)
              --rate R             latency: jobs/s offered, open loop (default 200)
              --duration S         latency: measured seconds per run (default 10)
              --latency-warmup S   latency: seconds offered but not recorded before each run (default 2)
              --fair-jobs N        fairness: the big tenant's backlog (default 100000)
              --fair-work-ms MS    fairness: each job's sleep (default 1)
              --soak-seconds S     soak: how long two workers run a 1-second schedule (default 60)
              --chaos-jobs N       kill-storm: jobs (default 100000); crash-loop: good jobs (at most 2000); paused-worker: jobs
                                   (at most 200); poison-input: good jobs (at most 10000, and a fiftieth of it per bad kind);
                                   long-jobs: long jobs (at most 48) and delayed / retried jobs (at most 200 each)
              --chaos-concurrency C  chaos worker processes' concurrency (default 32)
              --chaos-sleep-ms MS  kill-storm: each job's sleep (default 100)
              --kill-every S       kill-storm: seconds between SIGKILLs (default 2)
              --kill-for S         kill-storm: seconds of killing (default 60)
              --chaos-lease-ms MS  chaos workers' lease (default 5000; heartbeat a third of it)
              --chaos-seconds S    chaos-soak: how long (default 600; --quick 20)
              --long-job-leases N  long-jobs: how many leases each long job runs (default 10; --quick 4)
              --storm-max-deliveries N  kill-storm: the jobs' maxDeliveries (default 10; 3 is the product's default,
                                   under which a storm quarantines the odd job it killed three times mid-run)
              --retention-jobs N   retention: jobs pushed through (default 1000000)
              --retention-sample N retention: jobs between samples of fetch latency and table size (default 50000)
              --retention-keep N   retention: Retention.maxSucceeded, succeeded jobs kept (default 50000)
              --retention-interval S   retention: Retention.interval (default 1)
              --retention-batch N  retention: Retention.batch, jobs deleted per prune call (default 500)
              --retention-rate R   retention: jobs/s offered, paced in batches of --producer-batch (default 5000;
                                   0 = as fast as the producer can)
              --retention-vacuum S retention on postgres: also VACUUM the jobs table every S seconds on a connection of
                                   its own, standing in for autovacuum where the server has it off (default: no)
              --dir DIR            where SQLite files go (default: a new temporary directory, deleted after)
              --keep               keep the SQLite files / the PostgreSQL schema / the MariaDB database
              --out DIR            where result JSON goes (default bench/results)
              --no-write           print only, write no result files
              --diagnose           also sample the SQLite write lock (held %, waiters) every 1 ms
              --sqlite-setup SQL   experiments: run SQL (';'-separated) on each fresh SQLite file after the broker
                                   created its schema, e.g. "DROP INDEX conveyor_jobs_unique"; recorded in the results
              --timeout S          give up on a run after this many seconds (default 600)
              --jfr-top FILE.jfr   summarize a JFR recording (top frames) and exit; --top N rows (default 25)
            bench/run itself also takes:
              --jfr[=FILE]         record a JFR profile (1 ms samples) and summarize it at the end
              --wait-quiet[=S]     wait (up to S seconds, default 1800) for load < 0.5 and no busy JVM
              --no-build           run what is built even if sources changed
            """;

    public boolean quick;
    public List<ScenarioKind> scenarios = ScenarioKind.DEFAULT;
    public List<BrokerKind> brokers = BrokerKind.EMBEDDED;
    public int runs = 3;
    public int n = 100_000;
    public int warmup = 20_000;
    public int producerBatch = 1000;
    public int concurrency = 512;
    public int fetchBatch = 256;
    public int enqueueN = 20_000;
    public int enqueueWarmup = 2_000;
    public int rate = 200;
    public Duration latencyDuration = Duration.ofSeconds(10);
    public Duration latencyWarmup = Duration.ofSeconds(2);
    public int fairJobs = 100_000;
    public int fairWorkMs = 1;
    public int soakSeconds = 60;
    public int chaosJobs = 100_000;
    public int chaosConcurrency = 32;
    public int chaosSleepMs = 100;
    public Duration killEvery = Duration.ofSeconds(2);
    public Duration killFor = Duration.ofSeconds(60);
    public Duration chaosLease = Duration.ofSeconds(5);
    public int chaosSeconds = 600;
    public int longJobLeases = 10;
    public int stormMaxDeliveries = 10;
    public int retentionJobs = 1_000_000;
    public int retentionSample = 50_000;
    public int retentionKeep = 50_000;
    public Duration retentionInterval = Duration.ofSeconds(1);
    public int retentionBatch = 500;
    public int retentionRate = 5_000;
    /** PostgreSQL only: the bench's own VACUUM of the jobs table this often (null: none). */
    public Duration retentionVacuum;
    /** Set when --producer-batch was given (the retention scenario otherwise sends batches of 100). */
    public boolean producerBatchSet;
    public Path dir;
    public boolean keep;
    public Path out = Path.of("bench", "results");
    public boolean write = true;
    public boolean diagnose;
    public Duration timeout = Duration.ofSeconds(600);
    public Path jfrTop;
    public List<String> sqliteSetup = new ArrayList<>();
    public int top = 25;
    public boolean help;

    /** The quick smoke sizes (also what the JUnit test uses). */
    public BenchOptions quick() {
        quick = true;
        runs = 1;
        n = 2_000;
        warmup = 200;
        enqueueN = 200;
        enqueueWarmup = 20;
        latencyDuration = Duration.ofMillis(500);
        latencyWarmup = Duration.ZERO;
        fairJobs = 2_000;
        soakSeconds = 3;
        chaosJobs = 3_000;
        chaosConcurrency = 8;
        chaosSleepMs = 50;
        killEvery = Duration.ofSeconds(1);
        killFor = Duration.ofSeconds(5);
        chaosLease = Duration.ofSeconds(2);
        chaosSeconds = 20;
        longJobLeases = 4;
        retentionJobs = 6_000;
        retentionSample = 1_000;
        retentionKeep = 1_000;
        retentionRate = 3_000;
        write = false;
        timeout = Duration.ofSeconds(60);
        return this;
    }

    private static final java.util.Set<String> VALUED = java.util.Set.of("--broker", "--brokers", "--runs", "--n",
            "--warmup", "--producer-batch", "--concurrency", "--fetch-batch", "--enqueue-n", "--enqueue-warmup",
            "--rate", "--duration", "--latency-warmup", "--dir", "--out", "--timeout", "--jfr-top", "--top",
            "--sqlite-setup", "--retention-jobs", "--retention-sample", "--retention-keep", "--retention-interval",
            "--retention-batch", "--retention-rate", "--retention-vacuum", "--fair-jobs", "--fair-work-ms", "--soak-seconds", "--chaos-jobs", "--chaos-concurrency", "--chaos-sleep-ms",
            "--kill-every", "--kill-for", "--chaos-lease-ms", "--chaos-seconds",
            "--long-job-leases", "--storm-max-deliveries");

    public static BenchOptions parse(String[] args) {
        BenchOptions o = new BenchOptions();
        for (String a : args) if (a.equals("--quick")) o.quick();
        List<String> scenarios = new ArrayList<>();
        LinkedHashSet<BrokerKind> brokers = new LinkedHashSet<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            if (a.startsWith("--") && a.contains("=")) {
                value = a.substring(a.indexOf('=') + 1);
                a = a.substring(0, a.indexOf('='));
            }
            switch (a) {
                case "-h", "--help" -> o.help = true;
                case "--quick" -> { }
                case "--keep" -> o.keep = true;
                case "--no-write" -> o.write = false;
                case "--write" -> o.write = true;
                case "--diagnose" -> o.diagnose = true;
                default -> {
                    if (!a.startsWith("-")) {
                        scenarios.add(a);
                        continue;
                    }
                    if (!VALUED.contains(a)) throw new IllegalArgumentException("unknown option " + a);
                    if (value == null) {
                        if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                        value = args[++i];
                    }
                    switch (a) {
                        case "--broker", "--brokers" -> {
                            for (String b : value.split(",")) {
                                if (b.trim().equalsIgnoreCase("all")) brokers.addAll(List.of(BrokerKind.values()));
                                else if (!b.isBlank()) brokers.add(BrokerKind.parse(b.trim()));
                            }
                        }
                        case "--runs" -> o.runs = positive(a, value);
                        case "--n" -> o.n = positive(a, value);
                        case "--warmup" -> o.warmup = nonNegative(a, value);
                        case "--producer-batch" -> {
                            o.producerBatch = positive(a, value);
                            o.producerBatchSet = true;
                        }
                        case "--retention-jobs" -> o.retentionJobs = positive(a, value);
                        case "--retention-sample" -> o.retentionSample = positive(a, value);
                        case "--retention-keep" -> o.retentionKeep = positive(a, value);
                        case "--retention-interval" -> o.retentionInterval = seconds(a, value);
                        case "--retention-batch" -> o.retentionBatch = positive(a, value);
                        case "--retention-rate" -> o.retentionRate = nonNegative(a, value);
                        case "--fair-jobs" -> o.fairJobs = positive(a, value);
                        case "--fair-work-ms" -> o.fairWorkMs = nonNegative(a, value);
                        case "--soak-seconds" -> o.soakSeconds = positive(a, value);
                        case "--chaos-jobs" -> o.chaosJobs = positive(a, value);
                        case "--chaos-concurrency" -> o.chaosConcurrency = positive(a, value);
                        case "--chaos-sleep-ms" -> o.chaosSleepMs = nonNegative(a, value);
                        case "--kill-every" -> o.killEvery = Duration.ofSeconds(positive(a, value));
                        case "--kill-for" -> o.killFor = Duration.ofSeconds(positive(a, value));
                        case "--chaos-lease-ms" -> o.chaosLease = Duration.ofMillis(positive(a, value));
                        case "--chaos-seconds" -> o.chaosSeconds = positive(a, value);
                        case "--long-job-leases" -> o.longJobLeases = positive(a, value);
                        case "--storm-max-deliveries" -> o.stormMaxDeliveries = positive(a, value);
                        case "--retention-vacuum" -> o.retentionVacuum = seconds(a, value);
                        case "--concurrency" -> o.concurrency = positive(a, value);
                        case "--fetch-batch" -> o.fetchBatch = positive(a, value);
                        case "--enqueue-n" -> o.enqueueN = positive(a, value);
                        case "--enqueue-warmup" -> o.enqueueWarmup = nonNegative(a, value);
                        case "--rate" -> o.rate = positive(a, value);
                        case "--duration" -> o.latencyDuration = seconds(a, value);
                        case "--latency-warmup" -> o.latencyWarmup = seconds(a, value);
                        case "--dir" -> o.dir = Path.of(value);
                        case "--out" -> o.out = Path.of(value);
                        case "--timeout" -> o.timeout = seconds(a, value);
                        case "--jfr-top" -> o.jfrTop = Path.of(value);
                        case "--sqlite-setup" -> o.sqliteSetup.add(value);
                        case "--top" -> o.top = positive(a, value);
                        default -> throw new IllegalArgumentException("unknown option " + a);
                    }
                }
            }
        }
        if (!scenarios.isEmpty()) o.scenarios = scenarios.stream().map(ScenarioKind::parse).distinct().toList();
        if (!brokers.isEmpty()) o.brokers = List.copyOf(brokers);
        return o;
    }

    /** Accepts 100000, 100_000, 100,000 and 100k. */
    static long number(String option, String value) {
        String v = value.replace("_", "").replace(",", "").trim().toLowerCase(Locale.ROOT);
        long mult = 1;
        if (v.endsWith("k")) {
            mult = 1_000;
            v = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            mult = 1_000_000;
            v = v.substring(0, v.length() - 1);
        }
        try {
            return Long.parseLong(v) * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, was '" + value + "'");
        }
    }

    private static int positive(String option, String value) {
        long n = number(option, value);
        if (n < 1 || n > Integer.MAX_VALUE) throw new IllegalArgumentException(option + " must be >= 1, was " + value);
        return (int) n;
    }

    private static int nonNegative(String option, String value) {
        long n = number(option, value);
        if (n < 0 || n > Integer.MAX_VALUE) throw new IllegalArgumentException(option + " must be >= 0, was " + value);
        return (int) n;
    }

    private static Duration seconds(String option, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            if (v.endsWith("s")) v = v.substring(0, v.length() - 1);
            double s = Double.parseDouble(v);
            if (s < 0) throw new NumberFormatException();
            return Duration.ofNanos((long) (s * 1e9));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs seconds (e.g. 10, 0.5, 500ms), was '" + value + "'");
        }
    }
}
