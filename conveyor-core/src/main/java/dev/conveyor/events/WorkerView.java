package dev.conveyor.events;

import java.time.Duration;

/**
 * What a {@link JobListener} sees of a worker: enough for gauges, nothing to steer it with. The worker
 * ({@code dev.conveyor.worker.Worker}) implements it; listeners depend on this, not on the worker runtime.
 */
public interface WorkerView {
    /** The worker's name (host/pid/random), unique per process. */
    String name();

    /** Most jobs it runs at once. */
    int concurrency();

    /** Jobs leased and not yet recorded, stuck ones included, and those held ahead of a free slot. */
    int jobsInFlight();

    /** Of {@link #jobsInFlight}, those leased ahead of a free slot and waiting for one ({@code WorkerOptions.prefetch}). */
    default int jobsHeld() {
        return 0;
    }

    /** Time since its last successful heartbeat round (since its start before the first). */
    Duration heartbeatAge();
}
