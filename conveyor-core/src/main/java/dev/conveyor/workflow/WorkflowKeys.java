package dev.conveyor.workflow;

import java.util.regex.Pattern;

/**
 * Names of a workflow's state entries and unique keys. Nodes are named by their path from the root: the root
 * is {@code 0}, its children {@code 0.0}, {@code 0.1}…, the flow a handler fanned out into at node {@code n}
 * is {@code n.r}.
 * <pre>
 * wf:&lt;id&gt;                      the workflow's record (state, result or failure)
 * wf:&lt;id&gt;:spec                 its shape, for display (absent when over the state value limit)
 * wf:&lt;id&gt;:g:&lt;node&gt;            a group's progress: size, finished members, what follows it
 * wf:&lt;id&gt;:g:&lt;node&gt;:m:&lt;i&gt;       member i's outcome ({@link MemberResult} as JSON)
 * wf:&lt;id&gt;:&lt;node&gt;              unique key of the job that runs a step (per queue)
 * </pre>
 */
final class WorkflowKeys {
    static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final Pattern NODE = Pattern.compile("[0-9r]{1,7}(\\.[0-9r]{1,7}){0,40}");
    /** Longest node path: keeps every key under the state store's 255 characters. */
    static final int MAX_NODE_LENGTH = 160;

    private WorkflowKeys() {}

    static String record(String wf) {
        return "wf:" + wf;
    }

    static String spec(String wf) {
        return "wf:" + wf + ":spec";
    }

    static String group(String wf, String node) {
        return "wf:" + wf + ":g:" + node;
    }

    static String members(String wf, String node) {
        return group(wf, node) + ":m:";
    }

    static String member(String wf, String node, int index) {
        return members(wf, node) + index;
    }

    static String step(String wf, String node) {
        return "wf:" + wf + ":" + node;
    }

    static String requireId(String wf, String where) {
        if (wf == null || !ID.matcher(wf).matches()) {
            throw new WorkflowFormatException(where + ": workflow id must match [A-Za-z0-9_-]{1,64}, was "
                    + FlowSpec.abbreviate(wf));
        }
        return wf;
    }

    static String requireNode(String node, String where) {
        if (node == null || node.length() > MAX_NODE_LENGTH || !NODE.matcher(node).matches()) {
            throw new WorkflowFormatException(where + ": node must be a path like 0.2.1 of at most "
                    + MAX_NODE_LENGTH + " characters, was " + FlowSpec.abbreviate(node));
        }
        return node;
    }
}
