package dev.conveyor.broker;

import dev.conveyor.job.Progress;
import java.util.Objects;

/** A running job's progress, written under its lease ({@link Broker#reportProgress}). */
public record ProgressUpdate(Lease lease, Progress progress) {
    public ProgressUpdate {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(progress, "progress");
    }
}
