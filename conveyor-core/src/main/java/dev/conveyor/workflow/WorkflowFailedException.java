package dev.conveyor.workflow;

import dev.conveyor.ConveyorException;

/** {@link WorkflowHandle#get} found the workflow failed; says which step failed and why. */
public class WorkflowFailedException extends ConveyorException {
    private final String workflowId;
    private final String node;
    private final String task;
    private final String jobId;
    private final String error;

    public WorkflowFailedException(String workflowId, String node, String task, String jobId, String error) {
        super("workflow " + workflowId + " failed at node " + node + " (task " + task + ", job " + jobId + "): " + error);
        this.workflowId = workflowId;
        this.node = node;
        this.task = task;
        this.jobId = jobId;
        this.error = error;
    }

    public String workflowId() {
        return workflowId;
    }

    /** The failed step's node path, e.g. {@code 0.1} (the second step of a root chain). */
    public String node() {
        return node;
    }

    /** The failed step's task name. */
    public String task() {
        return task;
    }

    /** The failed step's job id (inspect it with {@code conveyor jobs show}). */
    public String jobId() {
        return jobId;
    }

    /** The step's last error message. */
    public String error() {
        return error;
    }
}
