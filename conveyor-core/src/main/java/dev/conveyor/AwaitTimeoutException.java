package dev.conveyor;

import dev.conveyor.job.JobState;
import java.time.Duration;

/** {@link JobHandle#await} gave up waiting; the job goes on and may still finish. */
public class AwaitTimeoutException extends ConveyorException {
    private final JobState lastState;

    public AwaitTimeoutException(String jobId, Duration timeout, JobState lastState) {
        super("job " + jobId + " did not finish within " + timeout + " (it is " + lastState + ")");
        this.lastState = lastState;
    }

    /** With a message of the caller's (a workflow's wait, which has no single job). */
    protected AwaitTimeoutException(String message, JobState lastState) {
        super(message);
        this.lastState = lastState;
    }

    public JobState lastState() {
        return lastState;
    }
}
