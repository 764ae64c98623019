package dev.conveyor.workflow;

import dev.conveyor.ConveyorException;

/**
 * Workflow data that cannot be used: a malformed header or state value read from the broker (untrusted), a
 * flow that cannot start, or a result over a size limit. The message names the field or limit and what was
 * expected.
 */
public class WorkflowFormatException extends ConveyorException {
    public WorkflowFormatException(String message) {
        super(message);
    }
}
