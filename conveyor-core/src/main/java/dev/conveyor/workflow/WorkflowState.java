package dev.conveyor.workflow;

/** Where a workflow is: running until its last node finishes, then succeeded or failed. */
public enum WorkflowState {
    RUNNING,
    SUCCEEDED,
    FAILED;

    public boolean isFinished() {
        return this != RUNNING;
    }
}
