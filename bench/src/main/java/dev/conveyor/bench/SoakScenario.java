package dev.conveyor.bench;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Brokers;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.Page;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.schedule.Schedule;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real-time check of cron schedules' exactly-once ticks: two workers, each with its own broker connection and
 * its own scheduler (as {@code conveyor worker} runs one), share a {@code @every 1s} schedule for
 * {@code --soak-seconds} of wall time. Pass: every tick in the window became exactly one job (no duplicate, no
 * gap between the first and the last fire time, at least seconds − 2 ticks), and no job ran twice.
 */
final class SoakScenario {
    record Beat(int n) {}

    private SoakScenario() {}

    static ScenarioResult run(BrokerKind kind, BenchOptions o, Path dir) {
        ScenarioResult res = new ScenarioResult(ScenarioKind.SOAK, kind);
        res.params.put("seconds", o.soakSeconds);
        res.params.put("workers", 2);
        res.params.put("schedule", "@every 1s");
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        Task<Beat, Void> task = Task.named("bench_beat", Beat.class).action((b, ctx) ->
                runs.computeIfAbsent(ctx.jobId(), id -> new AtomicInteger()).incrementAndGet());
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", 1);
        try (Rig rig = Rig.open(kind, dir, "soak-" + kind.label(), task, o)) {
            String name = "soak-" + Long.toString(System.nanoTime(), 36);
            Schedule every = Schedule.cron(name, "@every 1s").task(task, new Beat(1)).queue("soak");
            List<Broker> own = new ArrayList<>();
            List<Conveyor> workers = new ArrayList<>();
            Instant started = Instant.now();
            try {
                for (int i = 0; i < 2; i++) {
                    Broker b = kind == BrokerKind.MEMORY ? rig.real
                            : Brokers.open(rig.url, new BrokerContext(Clock.systemUTC()));
                    if (b != rig.real) own.add(b);
                    Conveyor c = Conveyor.builder().broker(b).task(task).schedule(every).build();
                    workers.add(c);
                    c.startWorker(WorkerOptions.defaults().queues("soak").shutdownOnSigterm(false));
                }
                long end = System.nanoTime() + o.soakSeconds * 1_000_000_000L;
                long nextReport = System.nanoTime() + 10_000_000_000L;
                while (System.nanoTime() < end) {
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                    if (System.nanoTime() > nextReport) {
                        System.out.printf("  soak       %-13s %d s: %d jobs run%n", kind.label(),
                                java.time.Duration.between(started, Instant.now()).toSeconds(), runs.size());
                        nextReport += 10_000_000_000L;
                    }
                }
            } finally {
                workers.forEach(Conveyor::close);
                own.forEach(Broker::close);
            }
            check(rig, name, o, runs, run, res);
        }
        res.runs.add(run);
        res.line = String.format("soak       %-13s two workers, @every 1s for %d s: %s ticks, %s duplicate, %s missing, "
                        + "%s run twice", kind.label(), o.soakSeconds, run.get("ticks"), run.get("duplicateTicks"),
                run.get("missingTicks"), run.get("ranTwice"));
        return res;
    }

    private static void check(Rig rig, String name, BenchOptions o, Map<String, AtomicInteger> runs,
                              Map<String, Object> run, ScenarioResult res) {
        JobStore store = (JobStore) rig.real;
        List<JobInfo> jobs = new ArrayList<>();
        String cursor = null;
        do {
            Page<JobInfo> page = store.list(new JobQuery(null, "soak", null, cursor, 1000));
            jobs.addAll(page.items());
            cursor = page.nextCursor();
        } while (cursor != null);
        String prefix = "schedule:" + name + "@";
        TreeSet<Instant> fires = new TreeSet<>();
        int duplicates = 0;
        for (JobInfo j : jobs) {
            String key = j.job().uniqueKey();
            if (key == null || !key.startsWith(prefix)) continue;
            if (!fires.add(Instant.parse(key.substring(prefix.length())))) duplicates++;
        }
        int missing = 0;
        if (!fires.isEmpty()) {
            long span = fires.last().getEpochSecond() - fires.first().getEpochSecond() + 1;
            missing = (int) (span - fires.size());
        }
        long ranTwice = runs.values().stream().filter(n -> n.get() > 1).count();
        long succeeded = jobs.stream().filter(j -> j.state() == JobState.SUCCEEDED).count();
        run.put("ticks", fires.size());
        run.put("duplicateTicks", duplicates);
        run.put("missingTicks", missing);
        run.put("ranTwice", ranTwice);
        run.put("succeeded", succeeded);
        run.put("firstFire", fires.isEmpty() ? null : fires.first().toString());
        run.put("lastFire", fires.isEmpty() ? null : fires.last().toString());
        res.check(1, "duplicate ticks", 0, duplicates);
        res.check(1, "missing ticks between the first and the last", 0, missing);
        res.check(1, "jobs run more than once", 0, ranTwice);
        res.check(1, "ticks at least seconds - 2", 1, fires.size() >= o.soakSeconds - 2 ? 1 : 0);
        res.check(1, "handler runs = succeeded jobs", succeeded, runs.size());
    }
}
