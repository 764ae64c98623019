package dev.conveyor.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/** What to run and how big: the defaults are the documented benchmark, {@code --quick} a smoke run of seconds. */
public final class BenchOptions {
    /** {@code bench/run --help}: every option (kept in {@code usage.txt} beside this class). */
    public static final String USAGE = usage();

    private static String usage() {
        try (var in = BenchOptions.class.getResourceAsStream("usage.txt")) {
            if (in == null) throw new IllegalStateException("usage.txt is missing from the bench jar");
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public boolean quick;
    public List<ScenarioKind> scenarios = ScenarioKind.DEFAULT;
    public List<BrokerKind> brokers = BrokerKind.EMBEDDED;
    public int runs = 3;
    public int n = 100_000;
    public int warmup = 20_000;
    public int producerBatch = 1000;
    public int concurrency = 512;
    public int fetchBatch = 256;
    /** Fetch loops per worker (WorkerOptions.fetchers). */
    public int fetchers = dev.conveyor.WorkerOptions.DEFAULT_FETCHERS;
    /** Jobs a worker leases ahead of its free slots (WorkerOptions.prefetch). */
    public int prefetch = dev.conveyor.WorkerOptions.DEFAULT_PREFETCH;
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
    /** Where --jfr-top or --perf-script draws its flame graph (SVG); null: none (--perf-script: next to it). */
    public Path flame;
    public String flameTitle;
    /** perf script output to draw as a flame graph. */
    public Path perfScript;
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
            "--warmup", "--producer-batch", "--concurrency", "--fetch-batch", "--fetchers", "--prefetch", "--enqueue-n", "--enqueue-warmup",
            "--rate", "--duration", "--latency-warmup", "--dir", "--out", "--timeout", "--jfr-top", "--top", "--flame", "--flame-title", "--perf-script",
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
                        case "--fetchers" -> o.fetchers = positive(a, value);
                        case "--prefetch" -> o.prefetch = nonNegative(a, value);
                        case "--enqueue-n" -> o.enqueueN = positive(a, value);
                        case "--enqueue-warmup" -> o.enqueueWarmup = nonNegative(a, value);
                        case "--rate" -> o.rate = positive(a, value);
                        case "--duration" -> o.latencyDuration = seconds(a, value);
                        case "--latency-warmup" -> o.latencyWarmup = seconds(a, value);
                        case "--dir" -> o.dir = Path.of(value);
                        case "--out" -> o.out = Path.of(value);
                        case "--timeout" -> o.timeout = seconds(a, value);
                        case "--jfr-top" -> o.jfrTop = Path.of(value);
                        case "--flame" -> o.flame = Path.of(value);
                        case "--flame-title" -> o.flameTitle = value;
                        case "--perf-script" -> o.perfScript = Path.of(value);
                        case "--sqlite-setup" -> o.sqliteSetup.add(value);
                        case "--top" -> o.top = positive(a, value);
                        default -> throw new IllegalArgumentException("unknown option " + a);
                    }
                }
            }
        }
        if ((o.flame != null || o.flameTitle != null) && o.jfrTop == null && o.perfScript == null) {
            throw new IllegalArgumentException("--flame and --flame-title draw the graph of --jfr-top FILE.jfr or"
                    + " --perf-script FILE (bench/run --jfr draws one of its own recording)");
        }
        if (o.jfrTop != null && o.perfScript != null) {
            throw new IllegalArgumentException("--jfr-top and --perf-script: one at a time");
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
