package dev.conveyor.bench;

import dev.conveyor.Task;
import dev.conveyor.broker.JobStore;
import dev.conveyor.job.JobState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Connection faults (docs/RELIABILITY.md): two worker processes reach the broker only through a {@link FaultProxy}
 * while a producer (direct) enqueues steadily. Faults in turn: 50 ms added to every chunk each way; every
 * connection cut and refused for two leases; every connection half-opened (silent, never closed) for two
 * leases. Pass: 0 acknowledged jobs lost, none dead, no success accepted twice, and after
 * each fault every worker recorded a success again (none was restarted). The workers' read timeouts are a third
 * of the lease ({@link #clientTimeout}). Measured: recovery time, from the
 * end of a fault to each worker's first accepted success after it (the slowest worker counts).
 */
final class NetFaultsScenario {
    static final int WORKERS = 2;

    private NetFaultsScenario() {}

    static ScenarioResult run(BrokerKind kind, BenchOptions o, Path dir) {
        ScenarioResult res = new ScenarioResult(ScenarioKind.NET_FAULTS, kind);
        long leaseMs = o.chaosLease.toMillis();
        long faultMs = 2 * leaseMs;
        // Quick: one lease between faults (the drain at the end catches up whatever a fault held back).
        long settleMs = o.quick ? leaseMs : 20_000;
        res.params.put("workers", WORKERS);
        res.params.put("workerConcurrency", o.chaosConcurrency);
        res.params.put("jobSleepMs", o.chaosSleepMs);
        res.params.put("leaseMs", leaseMs);
        res.params.put("latencyMs", 50);
        res.params.put("faultMs", faultMs);
        res.params.put("settleAfterEachFaultMs", settleMs);
        if (Chaos.notApplicable(kind, res, "net-faults")) return res;
        String hostPort = switch (kind) {
            case POSTGRES -> ServerDb.POSTGRES_HOST;
            case MARIADB -> ServerDb.MARIADB_HOST;
            case REDIS -> RedisRun.HOST + ":" + RedisRun.PORT;
            default -> null;
        };
        if (hostPort == null) {
            res.line = String.format("net-faults %-13s not applicable: an embedded store has no connection", kind.label());
            return res;
        }
        Path runDir = Chaos.runDir(dir, "net-faults", kind);
        Path ledgerDir = runDir.resolve("ledger");
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("run", 1);
        try (Ledger producerLedger = Ledger.open(ledgerDir, "producer");
             Ledger harness = Ledger.open(ledgerDir, "harness")) {
            Task<ChaosWorker.Work, Void> task = ChaosWorker.work(producerLedger);
            String[] target = hostPort.split(":");
            try (Rig rig = Rig.open(kind, dir, "net-faults-" + kind.label(), task, o);
                 FaultProxy proxy = new FaultProxy(target[0], Integer.parseInt(target[1]));
                 ChaosProcesses procs = new ChaosProcesses(clientTimeout(proxy.through(rig.url, hostPort), kind, leaseMs),
                         runDir, o.chaosConcurrency, leaseMs)) {
                List<Process> workers = new ArrayList<>();
                for (int i = 0; i < WORKERS; i++) workers.add(procs.start());
                var producer = new BrokerRestartScenario.Producer(rig.conveyor, task, producerLedger, o.chaosSleepMs);
                Thread t = Thread.ofPlatform().name("net-faults-producer").start(producer);
                Chaos.sleep(settleMs / 2);
                run.put("proxyConnectionsAtStart", proxy.connections());
                List<long[]> heals = new ArrayList<>(); // {fault index, healed at}
                proxy.latency(50);
                Chaos.sleep(faultMs);
                proxy.latency(0);
                heals.add(new long[] {0, mark(harness, "latency")});
                Chaos.awaitRecovered(ledgerDir, workers, heals.getLast()[1], settleMs, o.timeout);
                proxy.cut();
                Chaos.sleep(faultMs);
                proxy.heal();
                heals.add(new long[] {1, mark(harness, "cut")});
                Chaos.awaitRecovered(ledgerDir, workers, heals.getLast()[1], settleMs, o.timeout);
                proxy.halfOpen();
                Chaos.sleep(faultMs);
                proxy.heal();
                heals.add(new long[] {2, mark(harness, "half-open")});
                Chaos.awaitRecovered(ledgerDir, workers, heals.getLast()[1], settleMs, o.timeout);
                producer.stop = true;
                t.join();
                JobStore store = (JobStore) rig.real;
                long deadline = System.nanoTime() + o.timeout.toNanos();
                while (System.nanoTime() < deadline && Chaos.count(store, JobState.READY) + Chaos.count(store, JobState.RUNNING)
                        + Chaos.count(store, JobState.SCHEDULED) > 0) Chaos.sleep(250);
                run.put("workersAliveThroughout", workers.stream().allMatch(Process::isAlive));
                run.put("proxyConnectionsAtEnd", proxy.connections());
                procs.close();
                run.put("enqueueCallsFailed", producer.failed);
                judge(Ledger.read(ledgerDir), workers, heals, store, o, run, res);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        res.runs.add(run);
        res.line = String.format("net-faults %-13s latency, cut and half-open for %d ms each: %s acknowledged, %s lost, %s duplicate runs "
                        + "(%s accepted twice); recovery (slowest worker) %s ms", kind.label(), faultMs, run.get("acknowledged"),
                run.get("lost"), run.get("duplicateRuns"), run.get("acceptedTwice"), run.get("recoveryMs"));
        return res;
    }

    /**
     * The workers' read timeout set to a third of the lease (PostgreSQL and MariaDB {@code socketTimeout}, Redis
     * {@code timeout}; at least 1 s), as the docs advise: a stalled heartbeat then fails over to a new connection
     * before the lease runs out. With a timeout longer than the lease, every job whose ack waits on a silent
     * connection loses its lease and runs again (measured: 841 duplicate runs and 17 quarantined jobs on MariaDB
     * with a 30 s timeout and a 2 s lease).
     */
    static String clientTimeout(String url, BrokerKind kind, long leaseMs) {
        long ms = Math.max(1_000, leaseMs / 3 / 1_000 * 1_000);
        return url + (url.contains("?") ? "&" : "?") + (kind.isRedis() ? "timeout=" : "socketTimeout=") + (ms / 1_000) + "s";
    }

    private static long mark(Ledger harness, String fault) {
        harness.write('X', fault, "proxy");
        return System.currentTimeMillis();
    }

    private static void judge(List<Ledger.Entry> entries, List<Process> workers, List<long[]> heals, JobStore store,
                              BenchOptions o, Map<String, Object> run, ScenarioResult res) {
        Ledger.Verdict v = Ledger.check(entries);
        Map<String, Integer> accepted = new java.util.HashMap<>();
        for (Ledger.Entry e : entries) if (e.kind() == 'A') accepted.merge(e.id(), 1, Integer::sum);
        long acceptedTwice = accepted.values().stream().filter(n -> n > 1).count();
        Map<String, Object> recovery = new LinkedHashMap<>();
        int recovered = 0;
        String[] names = {"latency", "cut", "half-open"};
        for (long[] h : heals) {
            long slowest = 0;
            boolean all = true;
            for (Process w : workers) {
                String pid = Long.toString(w.pid());
                long first = entries.stream().filter(e -> e.kind() == 'A' && e.pid().equals(pid) && e.at() >= h[1])
                        .mapToLong(Ledger.Entry::at).min().orElse(-1);
                if (first < 0) all = false;
                else slowest = Math.max(slowest, first - h[1]);
            }
            recovery.put(names[(int) h[0]], all ? slowest : null);
            if (all) recovered++;
        }
        Chaos.recordAndCheck(v, Chaos.count(store, JobState.SUCCEEDED), Chaos.count(store, JobState.DEAD), false, run, res);
        run.put("acceptedTwice", acceptedTwice);
        run.put("recoveryMs", recovery);
        // Duplicate runs are measured, not bounded: every job whose ack or heartbeat waits on a silent connection
        // past its lease runs again, so they grow with throughput x read timeout. Recording stays exactly once.
        res.check(1, "jobs whose success the broker accepted twice", 0, acceptedTwice);
        res.check(1, "faults after which every worker recorded a success again", heals.size(), recovered);
        res.check(1, "workers alive throughout (none needed a restart)", 1, Boolean.TRUE.equals(run.get("workersAliveThroughout")) ? 1 : 0);
    }
}
