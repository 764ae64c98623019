package dev.conveyor.bench.peers;

import java.util.List;
import java.util.Locale;

/**
 * The systems of the side-by-side benchmark: Conveyor on each broker and each peer, with the broker it runs on,
 * how its driver is started (bench/peers/java, node, python), and the Conveyor system it is compared with.
 */
public enum PeerSystem {
    CONVEYOR_REDIS("conveyor-redis", Broker.REDIS, Runtime.JVM, "dev.conveyor.bench.peers.driver.ConveyorDriver", "--broker", "redis"),
    CONVEYOR_POSTGRES("conveyor-postgres", Broker.POSTGRES, Runtime.JVM, "dev.conveyor.bench.peers.driver.ConveyorDriver", "--broker", "postgres"),
    CONVEYOR_SQLITE("conveyor-sqlite", Broker.SQLITE, Runtime.JVM, "dev.conveyor.bench.peers.driver.ConveyorDriver", "--broker", "sqlite"),
    BULLMQ("bullmq", Broker.REDIS, Runtime.NODE, "bullmq.js"),
    CELERY("celery", Broker.REDIS, Runtime.PYTHON, "celery_driver.py"),
    RQ("rq", Broker.REDIS, Runtime.PYTHON, "rq_driver.py"),
    JOBRUNR("jobrunr", Broker.POSTGRES, Runtime.JVM, "dev.conveyor.bench.peers.driver.JobRunrDriver"),
    DB_SCHEDULER("db-scheduler", Broker.POSTGRES, Runtime.JVM, "dev.conveyor.bench.peers.driver.DbSchedulerDriver"),
    GRAPHILE_WORKER("graphile-worker", Broker.POSTGRES, Runtime.NODE, "graphile-worker.js");

    /** Where a system keeps its jobs: each run gets its own key prefix, database or file there. */
    public enum Broker { REDIS, POSTGRES, SQLITE }

    /** How the driver is started. */
    public enum Runtime { JVM, NODE, PYTHON }

    private final String label;
    private final Broker broker;
    private final Runtime runtime;
    private final String entry;
    private final List<String> extraArgs;

    PeerSystem(String label, Broker broker, Runtime runtime, String entry, String... extraArgs) {
        this.label = label;
        this.broker = broker;
        this.runtime = runtime;
        this.entry = entry;
        this.extraArgs = List.of(extraArgs);
    }

    public String label() {
        return label;
    }

    public Broker broker() {
        return broker;
    }

    public Runtime runtime() {
        return runtime;
    }

    /** The JVM main class, or the script's file name under bench/peers/node or bench/peers/python. */
    public String entry() {
        return entry;
    }

    public List<String> extraArgs() {
        return extraArgs;
    }

    public boolean isConveyor() {
        return name().startsWith("CONVEYOR_");
    }

    /** The Conveyor system on the same broker: what a ratio compares with. */
    public PeerSystem baseline() {
        return switch (broker) {
            case REDIS -> CONVEYOR_REDIS;
            case POSTGRES -> CONVEYOR_POSTGRES;
            case SQLITE -> CONVEYOR_SQLITE;
        };
    }

    /**
     * At most this many jobs per run in the no-op throughput scenarios: the Python peers run at 1,000 jobs/s or
     * less here, so 100,000 jobs would take minutes per run (jobs/s is a rate; the tables state the count).
     */
    public int maxNoopJobs() {
        return switch (this) {
            case CELERY -> 20_000;
            case RQ -> 10_000;
            default -> Integer.MAX_VALUE;
        };
    }

    /** At most this many jobs in the I/O scenario: RQ runs one job at a time, 100 ms each. */
    public int maxIoJobs() {
        return this == RQ ? 100 : Integer.MAX_VALUE;
    }

    public static PeerSystem parse(String s) {
        String k = s.toLowerCase(Locale.ROOT).trim();
        for (PeerSystem p : values()) if (p.label.equals(k)) return p;
        if (k.equals("conveyor")) throw new IllegalArgumentException("say which Conveyor: conveyor-redis, conveyor-postgres, conveyor-sqlite");
        if (k.equals("dbscheduler")) return DB_SCHEDULER;
        if (k.equals("graphile")) return GRAPHILE_WORKER;
        throw new IllegalArgumentException("unknown system '" + s + "'; known: "
                + String.join(", ", java.util.Arrays.stream(values()).map(PeerSystem::label).toList()));
    }
}
