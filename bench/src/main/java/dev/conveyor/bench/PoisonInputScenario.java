package dev.conveyor.bench;

import dev.conveyor.Conveyor;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.Page;
import dev.conveyor.broker.RawEnvelopeSink;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Poison input (docs/RELIABILITY.md): good jobs mixed with bad ones — envelopes that are not JSON, JSON that is
 * not an envelope, Java-serialized bytes, a task no worker knows, args that make the handler throw every time, a
 * handler that halts its JVM, and a 20 MiB payload — through two worker processes the harness restarts when
 * they die. Pass: every good job SUCCEEDED; every bad one stored is DEAD with a reason; the oversized one is
 * refused at enqueue with the limit named (never stored, never silently dropped); nothing left waiting.
 */
final class PoisonInputScenario {
    static final int WORKERS = 2;

    private PoisonInputScenario() {}

    /** What each kind of bad job's dead reason must say. */
    static final Map<String, String> EXPECTED_REASON = Map.of(
            "invalid-json", "corrupt record",
            "not-an-envelope", "corrupt record",
            "java-serialized", "corrupt record",
            "unknown-task", "unknown task 'no.such.task'",
            "throws-every-time", "gave up after",
            "halts-the-jvm", "quarantined: its worker died");

    static ScenarioResult run(BrokerKind kind, BenchOptions o, Path dir) {
        ScenarioResult res = new ScenarioResult(ScenarioKind.POISON_INPUT, kind);
        int good = Math.min(o.chaosJobs, 10_000);
        int badEach = Math.max(1, good / 50); // 10,000 good: 200 of each of the five stored kinds = 1,000 bad
        res.params.put("goodJobs", good);
        res.params.put("badJobsPerKind", badEach);
        if (Chaos.notApplicable(kind, res, "poison")) return res;
        Path runDir = Chaos.runDir(dir, "poison", kind);
        Path ledgerDir = runDir.resolve("ledger");
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", 1);
        try (Ledger producer = Ledger.open(ledgerDir, "producer")) {
            Task<ChaosWorker.Work, Void> work = ChaosWorker.work(producer);
            Task<ChaosWorker.Throw, Void> thrower = ChaosWorker.thrower();
            Task<ChaosWorker.Crash, Void> crash = ChaosWorker.crash();
            try (Rig rig = Rig.open(kind, dir, "poison-" + kind.label(), work, o);
                 Conveyor bad = Conveyor.builder().broker(rig.broker).task(thrower).task(crash).build();
                 ChaosProcesses procs = new ChaosProcesses(rig.url, runDir, o.chaosConcurrency, o.chaosLease.toMillis())) {
                for (int i = 0; i < WORKERS; i++) procs.start();
                RawEnvelopeSink raw = (RawEnvelopeSink) rig.real;
                Map<String, String> badKind = new TreeMap<>(); // id -> kind
                String serialized = javaSerialized();
                for (int i = 0; i < badEach; i++) {
                    badKind.put(raw.insertRawEnvelope("chaos", "{not json " + i), "invalid-json");
                    badKind.put(raw.insertRawEnvelope("chaos", "{\"hello\": " + i + "}"), "not-an-envelope");
                    badKind.put(raw.insertRawEnvelope("chaos", serialized), "java-serialized");
                    badKind.put(raw.insertRawEnvelope("chaos", "{\"v\":1,\"id\":\"" + dev.conveyor.job.JobIds.next(java.time.Clock.systemUTC())
                            + "\",\"task\":\"no.such.task\",\"queue\":\"chaos\",\"args\":{},\"enqueuedAt\":\""
                            + java.time.Instant.now() + "\"}"), "unknown-task");
                    badKind.put(bad.enqueue(thrower, new ChaosWorker.Throw(i)).id(), "throws-every-time");
                }
                badKind.put(bad.enqueue(crash, new ChaosWorker.Crash(1)).id(), "halts-the-jvm");
                String refused = null;
                try {
                    bad.enqueue(thrower, new ChaosWorker.Throw(-1), dev.conveyor.EnqueueOptions.defaults()
                            .header("padding", "x".repeat(20 * 1024 * 1024)));
                } catch (IllegalArgumentException e) {
                    refused = e.getMessage();
                }
                List<ChaosWorker.Work> batch = new ArrayList<>();
                for (int i = 0; i < good; i++) batch.add(new ChaosWorker.Work(i, 0));
                for (JobHandle<Void> h : rig.conveyor.enqueueAll(work, batch)) producer.write('Q', h.id());

                JobStore store = (JobStore) rig.real;
                long deadline = System.nanoTime() + o.timeout.toNanos();
                int restarts = 0;
                boolean done = false;
                while (!done && System.nanoTime() < deadline) {
                    while (procs.live().size() < WORKERS) {
                        procs.start();
                        restarts++;
                    }
                    done = Chaos.count(store, JobState.SUCCEEDED) + Chaos.count(store, JobState.DEAD) >= good + badKind.size();
                    Chaos.sleep(100);
                }
                procs.close();
                Map<String, Integer> deadByKind = new TreeMap<>();
                Map<String, String> reasonByKind = new TreeMap<>();
                int badNotDead = 0;
                int wrongReason = 0;
                String wrongExample = "";
                for (JobInfo info : all(store)) {
                    String k = badKind.get(info.id());
                    if (k == null) continue;
                    if (info.state() == JobState.DEAD && info.deadReason() != null && !info.deadReason().isBlank()) {
                        if (!info.deadReason().contains(EXPECTED_REASON.get(k)) && wrongReason++ == 0) {
                            wrongExample = " (e.g. " + k + ": " + info.deadReason() + ")";
                        }
                        deadByKind.merge(k, 1, Integer::sum);
                        reasonByKind.putIfAbsent(k, info.deadReason().length() > 120
                                ? info.deadReason().substring(0, 120) + "…" : info.deadReason());
                    } else {
                        badNotDead++;
                    }
                }
                long succeeded = Chaos.count(store, JobState.SUCCEEDED);
                long waiting = Chaos.count(store, JobState.READY) + Chaos.count(store, JobState.SCHEDULED)
                        + Chaos.count(store, JobState.RUNNING);
                Ledger.Verdict v = Ledger.check(Ledger.read(ledgerDir));
                run.put("badStored", badKind.size());
                run.put("deadByKind", deadByKind);
                run.put("reasonByKind", reasonByKind);
                run.put("badNotDead", badNotDead);
                run.put("badDeadWithAnotherReason", wrongReason);
                run.put("oversizedRefusedWith", refused);
                run.put("goodSucceeded", succeeded);
                run.put("goodLost", v.lost());
                run.put("leftWaiting", waiting);
                run.put("workerDeaths", restarts);
                res.check(1, "bad jobs dead with a reason", badKind.size(), badKind.size() - badNotDead);
                res.check(1, "bad jobs dead with another reason than their kind's" + wrongExample, 0, wrongReason);
                res.check(1, "good jobs succeeded", good, succeeded);
                res.check(1, "good jobs lost", 0, v.lost());
                res.check(1, "jobs left waiting", 0, waiting);
                res.check(1, "20 MiB payload refused at enqueue naming the limit", 1,
                        refused != null && refused.contains("limit") ? 1 : 0);
            }
        }
        res.runs.add(run);
        res.line = String.format("poison     %-13s %,d good: %s succeeded, %s lost; %s bad stored: dead by kind %s, %s not dead; "
                        + "20 MiB refused at enqueue: %s", kind.label(), good, run.get("goodSucceeded"), run.get("goodLost"),
                run.get("badStored"), run.get("deadByKind"), run.get("badNotDead"), run.get("oversizedRefusedWith") != null);
        return res;
    }

    /** Bytes of a Java-serialized object, as a broker would hold them: the decoder must refuse them as text. */
    private static String javaSerialized() {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(); ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new java.util.ArrayList<>(List.of("rce", 42)));
            out.flush();
            return new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JobInfo> all(JobStore store) {
        List<JobInfo> out = new ArrayList<>();
        String cursor = null;
        do {
            Page<JobInfo> page = store.list(new JobQuery(null, "chaos", null, cursor, 1000));
            out.addAll(page.items());
            cursor = page.nextCursor();
        } while (cursor != null);
        return out;
    }

}
