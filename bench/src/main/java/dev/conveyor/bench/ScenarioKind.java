package dev.conveyor.bench;

import java.util.Locale;

/** The scenarios, by the name used on the command line and in result file names. */
public enum ScenarioKind {
    /** N no-op jobs: a producer enqueues in batches while one worker drains; N / wall time. */
    THROUGHPUT("throughput"),
    /** One job per {@code enqueue} call, no worker. */
    ENQUEUE("enqueue"),
    /** Open-loop light load; enqueue-to-start latency percentiles. */
    LATENCY("latency"),
    /** Many jobs through a worker with a retention policy; fetch latency and table size sampled as it goes. */
    RETENTION("retention"),
    /** A big tenant's backlog and a small tenant's few jobs, first-in first-out and with fairness keys. */
    FAIRNESS("fairness"),
    /** Real time: two workers' schedulers on one 1-second schedule; every tick exactly one job. */
    SOAK("soak"),
    /** Chaos: three worker processes, one SIGKILLed every few seconds; nothing lost, duplicates bounded. */
    KILL_STORM("kill-storm"),
    /** Chaos: a handler that kills its JVM is quarantined after maxDeliveries; the other jobs complete. */
    CRASH_LOOP("crash-loop"),
    /** Chaos: a worker SIGSTOPped for two leases; its stale outcomes are refused, each job recorded once. */
    PAUSED_WORKER("paused-worker"),
    /** Chaos: good jobs mixed with bad input of every kind; the good ones complete, each bad one is dead with a reason. */
    POISON_INPUT("poison-input"),
    /** Chaos: jobs ten leases long complete once (heartbeat); delays and retries longer than a lease run when due, once. */
    LONG_JOBS("long-jobs"),
    /** Chaos: the scenario's own broker server SIGKILLed mid-run and restarted; no acknowledged job lost. */
    BROKER_RESTART("broker-restart"),
    /** Chaos: workers reach the broker through a proxy that adds latency, cuts and half-opens connections; nothing lost. */
    NET_FAULTS("net-faults"),
    /** Chaos: minutes at a steady rate with worker kills and a connection cut; nothing lost, heap and connections sampled. */
    CHAOS_SOAK("chaos-soak");

    /** What runs when no scenario is named (retention, fairness, soak and the chaos scenarios take minutes per broker: only when asked for). */
    public static final java.util.List<ScenarioKind> DEFAULT = java.util.List.of(THROUGHPUT, ENQUEUE, LATENCY);

    private final String label;

    ScenarioKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static ScenarioKind parse(String s) {
        String k = s.toLowerCase(Locale.ROOT);
        for (ScenarioKind x : values()) if (x.label.equals(k)) return x;
        throw new IllegalArgumentException("unknown scenario '" + s + "'; known: throughput, enqueue, latency, retention, fairness, soak, kill-storm, crash-loop, paused-worker, poison-input, long-jobs, broker-restart, net-faults, chaos-soak");
    }
}
