package dev.conveyor.workflow;

import dev.conveyor.AwaitTimeoutException;
import dev.conveyor.job.JobState;
import java.time.Duration;

/** {@link WorkflowHandle#get} gave up waiting; the workflow goes on and may still finish. */
public class WorkflowTimeoutException extends AwaitTimeoutException {
    public WorkflowTimeoutException(String workflowId, Duration timeout) {
        super("workflow " + workflowId + " did not finish within " + timeout + " (it is running)", JobState.RUNNING);
    }
}
