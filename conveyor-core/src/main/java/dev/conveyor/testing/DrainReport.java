package dev.conveyor.testing;

import java.util.List;

/**
 * What {@link TestWorker#drain} did.
 *
 * @param succeeded jobs that ran and succeeded
 * @param retried   runs that failed and were scheduled again, and jobs postponed by a rate or concurrency limit
 * @param dead      jobs that went to the dead set
 * @param deadIds   ids of those jobs, in the order they died
 */
public record DrainReport(int succeeded, int retried, int dead, List<String> deadIds) {
    public DrainReport {
        deadIds = List.copyOf(deadIds);
    }

    /** Total runs (and refusals) performed. */
    public int processed() {
        return succeeded + retried + dead;
    }
}
