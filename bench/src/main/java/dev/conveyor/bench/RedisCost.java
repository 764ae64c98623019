package dev.conveyor.bench;

import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Completion;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobIds;
import dev.conveyor.redis.RedisBroker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What one job costs a Redis server, phase by phase: enqueue N no-op jobs (batches), fetch them all, ack them all,
 * and read the server's counters between the phases. Run by {@code bench/run redis-cost}, which starts a private
 * {@code redis-server} for it (nothing else may use that server: its counters are the measure).
 *
 * <p>Per phase and job: the server process's CPU time (user + system, from {@code /proc}, so the server must run
 * on this machine), the scripts' time ({@code INFO commandstats}: the part spent inside {@code EVALSHA}), the
 * commands, and, with {@code --callgrind DIR} (the server runs under {@code valgrind --tool=callgrind}), the
 * instructions the server executed: repeatable to a fraction of a percent whatever else the machine does, where
 * times on a shared 2-core machine move by 20 %. Medians over the rounds after the first.
 */
final class RedisCost {
    private static final String[] PHASES = {"enqueue", "fetch", "ack"};

    private final String url;
    private final int jobs;
    private final int rounds;
    private final int enqueueBatch;
    private final int fetchBatch;
    private final Path callgrindDir;

    private RedisCost(String url, int jobs, int rounds, int enqueueBatch, int fetchBatch, Path callgrindDir) {
        this.url = url;
        this.jobs = jobs;
        this.rounds = rounds;
        this.enqueueBatch = enqueueBatch;
        this.fetchBatch = fetchBatch;
        this.callgrindDir = callgrindDir;
    }

    public static void main(String[] args) throws Exception {
        measure(args);
        System.exit(0);
    }

    /**
     * Runs the measure with command-line options; returns per phase (enqueue, fetch, ack) the medians of server
     * CPU µs, script µs, commands and instructions per job (instructions 0 without {@code --callgrind}).
     */
    static Map<String, double[]> measure(String[] args) throws Exception {
        String url = "redis://127.0.0.1:6399";
        int jobs = 100_000, rounds = 5, enqueueBatch = 1_000, fetchBatch = 256;
        Path callgrind = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--url" -> url = need(a, v);
                case "--jobs" -> jobs = positive(a, need(a, v));
                case "--rounds" -> rounds = positive(a, need(a, v));
                case "--enqueue-batch" -> enqueueBatch = positive(a, need(a, v));
                case "--fetch-batch" -> fetchBatch = positive(a, need(a, v));
                case "--callgrind" -> callgrind = Path.of(need(a, v));
                default -> throw new IllegalArgumentException("unknown option " + a
                        + " (options: --url U --jobs N --rounds R --enqueue-batch B --fetch-batch F --callgrind DIR)");
            }
            i++;
        }
        if (rounds < 2) throw new IllegalArgumentException("--rounds must be at least 2: the first is a warm-up");
        return new RedisCost(url, jobs, rounds, enqueueBatch, fetchBatch, callgrind).run();
    }

    private static String need(String option, String value) {
        if (value == null) throw new IllegalArgumentException(option + " needs a value");
        return value;
    }

    private static int positive(String option, String value) {
        int n = Integer.parseInt(value);
        if (n < 1) throw new IllegalArgumentException(option + " must be positive, was " + value);
        return n;
    }

    private Map<String, double[]> run() throws Exception {
        RedisClient client = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> c = connection.sync();
            long pid = Long.parseLong(field(c.info("server"), "process_id"));
            Path stat = Path.of("/proc/" + pid + "/stat");
            if (!Files.exists(stat)) {
                throw new IllegalStateException("redis-server " + url + " (pid " + pid + ") does not run on this "
                        + "machine: its CPU time cannot be read; run it here (bench/run redis-cost starts one)");
            }
            if (c.dbsize() > 0) {
                throw new IllegalStateException("redis-server " + url + " holds " + c.dbsize() + " keys: give this "
                        + "measure a server of its own (bench/run redis-cost starts one); nothing was changed");
            }
            System.out.printf("redis-cost: %,d jobs per round, %d rounds (the first a warm-up), enqueue batches of "
                    + "%,d, fetch batches of %d, against %s (redis-server %s, pid %d)%s%n", jobs, rounds,
                    enqueueBatch, fetchBatch, url, field(c.info("server"), "redis_version"), pid,
                    callgrindDir == null ? "" : ", under callgrind");
            List<Map<String, double[]>> results = new ArrayList<>(); // per round: phase -> {cpu, scripts, commands, instr}
            try (RedisBroker broker = RedisBroker.open(url + (url.contains("?") ? "&" : "?") + "prefix=cost",
                    BrokerContext.defaults())) {
                for (int r = 0; r < rounds; r++) {
                    results.add(round(r, broker, c, stat));
                    c.flushall();
                }
            }
            if (callgrindDir != null) addInstructions(results);
            return print(results);
        } finally {
            client.shutdown();
        }
    }

    private Map<String, double[]> round(int r, RedisBroker broker, RedisCommands<String, String> c, Path stat)
            throws IOException, InterruptedException {
        Clock clock = Clock.systemUTC();
        List<Job> batch = new ArrayList<>(jobs);
        for (int i = 0; i < jobs; i++) {
            batch.add(new Job(JobIds.next(clock), "noop", "default", "{}", Map.of(), 5, 0, 0, 3, 3,
                    clock.instant(), clock.instant(), null, null, null, null, null, null));
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        Counters before = Counters.read(c, stat);
        dump("round" + r + "-start");
        for (int i = 0; i < jobs; i += enqueueBatch) broker.enqueue(batch.subList(i, Math.min(jobs, i + enqueueBatch)));
        Counters enqueued = Counters.read(c, stat);
        dump("round" + r + "-enqueue");
        List<List<LeasedJob>> leased = new ArrayList<>();
        int got = 0;
        while (got < jobs) {
            List<LeasedJob> l = broker.fetch(List.of("default"), fetchBatch, Duration.ofMinutes(10));
            if (l.isEmpty()) break;
            got += l.size();
            leased.add(l);
        }
        Counters fetched = Counters.read(c, stat);
        dump("round" + r + "-fetch");
        for (List<LeasedJob> l : leased) broker.ack(l.stream().map(j -> new Completion(j.lease(), null)).toList());
        Counters acked = Counters.read(c, stat);
        dump("round" + r + "-ack");
        if (got != jobs) throw new IllegalStateException("fetched " + got + " of " + jobs + " jobs");
        out.put("enqueue", enqueued.minus(before, jobs));
        out.put("fetch", fetched.minus(enqueued, jobs));
        out.put("ack", acked.minus(fetched, jobs));
        System.out.printf("  round %d: server CPU µs/job enqueue %.2f, fetch %.2f, ack %.2f%n", r,
                out.get("enqueue")[0], out.get("fetch")[0], out.get("ack")[0]);
        return out;
    }

    /** Asks callgrind to write what it counted since the last dump (a file per dump, named by the trigger). */
    private void dump(String label) throws IOException, InterruptedException {
        if (callgrindDir == null) return;
        Process p = new ProcessBuilder("callgrind_control", "-d", label).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) throw new IllegalStateException("callgrind_control -d failed: is redis-server under callgrind?");
    }

    private static final Pattern TRIGGER = Pattern.compile("(?m)^desc: Trigger: .*dump (round\\d+-\\w+)\\s*$");
    private static final Pattern TOTAL = Pattern.compile("(?m)^(?:summary|totals): (\\d+)");

    /** Reads the instructions of each phase from callgrind's dump files into the results (index 3). */
    private void addInstructions(List<Map<String, double[]>> results) throws IOException {
        Map<String, Long> byLabel = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(callgrindDir)) {
            for (Path f : files.toList()) {
                String text = Files.readString(f);
                Matcher t = TRIGGER.matcher(text), n = TOTAL.matcher(text);
                if (t.find() && n.find()) byLabel.put(t.group(1), Long.parseLong(n.group(1)));
            }
        }
        for (int r = 0; r < results.size(); r++) {
            for (String phase : PHASES) {
                Long instructions = byLabel.get("round" + r + "-" + phase);
                if (instructions == null) throw new IllegalStateException("no callgrind dump for round " + r + " " + phase);
                results.get(r).get(phase)[3] = instructions / (double) jobs;
            }
        }
    }

    private Map<String, double[]> print(List<Map<String, double[]>> results) {
        Map<String, double[]> medians = new LinkedHashMap<>();
        for (String phase : PHASES) medians.put(phase, new double[4]);
        String[] what = {"server CPU µs", "script µs", "commands", "instructions"}; // commands: those scripts run too
        System.out.println("per job, medians of rounds 1-" + (results.size() - 1) + ":");
        for (int m = 0; m < what.length; m++) {
            if (m == 3 && callgrindDir == null) continue;
            StringBuilder line = new StringBuilder(String.format("  %-14s", what[m]));
            double total = 0;
            for (String phase : PHASES) {
                final int k = m;
                double[] v = results.stream().skip(1).mapToDouble(x -> x.get(phase)[k]).sorted().toArray();
                double median = v[v.length / 2];
                medians.get(phase)[k] = median;
                total += median;
                line.append(String.format(m == 3 ? "  %s %,.0f" : m == 2 ? "  %s %.3f" : "  %s %.2f", phase, median));
            }
            line.append(String.format(m == 3 ? "  all %,.0f" : m == 2 ? "  all %.3f" : "  all %.2f", total));
            System.out.println(line);
        }
        return medians;
    }

    private static String field(String info, String name) {
        for (String line : info.lines().toList()) {
            if (line.startsWith(name + ":")) return line.substring(name.length() + 1).trim();
        }
        throw new IllegalStateException("INFO has no " + name);
    }

    /** The server's CPU ticks, its scripts' time and its command count at one moment. */
    private record Counters(long cpuMicros, long scriptMicros, long commands) {
        static Counters read(RedisCommands<String, String> c, Path stat) throws IOException {
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
            long cpu = ticks * 1_000_000L / clockTicks();
            long scripts = 0, commands = 0;
            for (String line : c.info("commandstats").lines().toList()) {
                if (!line.startsWith("cmdstat_") || line.startsWith("cmdstat_info:")) continue;
                long calls = Long.parseLong(value(line, "calls"));
                if (line.startsWith("cmdstat_flushall:")) continue;
                commands += calls;
                if (line.startsWith("cmdstat_evalsha:")) scripts += Long.parseLong(value(line, "usec"));
            }
            return new Counters(cpu, scripts, commands);
        }

        double[] minus(Counters before, int jobs) {
            return new double[] {(cpuMicros - before.cpuMicros) / (double) jobs,
                    (scriptMicros - before.scriptMicros) / (double) jobs, (commands - before.commands) / (double) jobs, 0};
        }

        private static String value(String line, String key) {
            for (String kv : line.substring(line.indexOf(':') + 1).split(",")) {
                String[] p = kv.split("=");
                if (p[0].equals(key)) return p[1];
            }
            throw new IllegalStateException("no " + key + " in " + line);
        }

        private static long clockTicks() {
            return 100; // USER_HZ: 100 on every Linux the project runs on (getconf CLK_TCK)
        }
    }
}
