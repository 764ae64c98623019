package dev.conveyor.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * The workflow's own state value ({@code wf:<id>}), written once at start and once at the end:
 * <pre>
 * {"v":1,"state":"running","startedAt":"…"}
 * {"v":1,"state":"succeeded","startedAt":"…","finishedAt":"…","result":&lt;json&gt;}
 * {"v":1,"state":"failed","startedAt":"…","finishedAt":"…","failure":{"node":"0.2","task":"…","job":"…","error":"…"}}
 * </pre>
 */
record WorkflowRecord(WorkflowState state, Instant startedAt, Instant finishedAt, JsonNode result, Failure failure) {

    /** Which step failed, and why. */
    record Failure(String node, String task, String job, String error) {
        String describe() {
            return "node " + node + " (task " + task + ", job " + job + "): " + error;
        }
    }

    static WorkflowRecord running(Instant now) {
        return new WorkflowRecord(WorkflowState.RUNNING, now, null, null, null);
    }

    WorkflowRecord succeeded(Instant now, JsonNode value) {
        return new WorkflowRecord(WorkflowState.SUCCEEDED, startedAt, now, value, null);
    }

    WorkflowRecord failed(Instant now, Failure f) {
        return new WorkflowRecord(WorkflowState.FAILED, startedAt, now, null, f);
    }

    String toJson(ObjectMapper mapper) {
        ObjectNode n = mapper.createObjectNode();
        n.put("v", 1);
        n.put("state", state.name().toLowerCase());
        n.put("startedAt", startedAt.toString());
        if (finishedAt != null) n.put("finishedAt", finishedAt.toString());
        if (state == WorkflowState.SUCCEEDED) n.set("result", result == null ? mapper.nullNode() : result);
        if (failure != null) n.set("failure", failureJson(failure, mapper));
        return n.toString();
    }

    static ObjectNode failureJson(Failure f, ObjectMapper mapper) {
        ObjectNode o = mapper.createObjectNode();
        o.put("node", f.node());
        o.put("task", f.task());
        o.put("job", f.job());
        o.put("error", f.error());
        return o;
    }

    static WorkflowRecord parse(String json, String where) {
        JsonNode n = FlowSpec.parse(json, where);
        try {
            WorkflowState state = WorkflowState.valueOf(n.get("state").asText().toUpperCase());
            Instant started = Instant.parse(n.get("startedAt").asText());
            Instant finished = n.hasNonNull("finishedAt") ? Instant.parse(n.get("finishedAt").asText()) : null;
            Failure f = null;
            if (n.hasNonNull("failure")) {
                JsonNode x = n.get("failure");
                f = new Failure(x.path("node").asText(), x.path("task").asText(), x.path("job").asText(),
                        x.path("error").asText());
            }
            return new WorkflowRecord(state, started, finished, n.get("result"), f);
        } catch (RuntimeException e) {
            throw new WorkflowFormatException(where + " is not a workflow record: " + FlowSpec.abbreviate(json));
        }
    }
}
