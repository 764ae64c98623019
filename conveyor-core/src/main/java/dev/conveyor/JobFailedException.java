package dev.conveyor;

import dev.conveyor.job.JobInfo;

/** {@link JobHandle#await} found the job dead or cancelled; {@link #info()} holds every attempt's error. */
public class JobFailedException extends ConveyorException {
    private final transient JobInfo info;

    public JobFailedException(JobInfo info) {
        super("job " + info.id() + " (" + info.job().task() + ") is " + info.state()
                + (info.deadReason() != null ? ": " + info.deadReason() : ""));
        this.info = info;
    }

    public JobInfo info() {
        return info;
    }
}
