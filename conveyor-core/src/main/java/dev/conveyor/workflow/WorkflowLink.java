package dev.conveyor.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.job.Job;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a workflow job carries in its headers: its workflow, its node, and what comes after it (the
 * continuation), innermost first. Headers come from the broker, so {@link #of} validates every part.
 * <pre>
 * conveyor-workflow        the workflow id
 * conveyor-workflow-node   the node this job runs, e.g. 0.1.3.0
 * conveyor-workflow-next   JSON array of frames (absent: nothing follows, the job ends the workflow):
 *   {"chain":"0.1.3","at":1,"rest":[spec, …]}   the rest of a chain, starting at child index "at"
 *   {"group":"0.1","member":3}                 report to member 3 of a group; the group's state says what follows it
 * </pre>
 */
record WorkflowLink(String workflowId, String node, List<Frame> next) {
    static final String WORKFLOW = "conveyor-workflow";
    static final String NODE = "conveyor-workflow-node";
    static final String NEXT = "conveyor-workflow-next";

    sealed interface Frame permits ChainRest, Member {}

    /** The children of chain {@code chain} from index {@code at} on ({@code rest} is never empty). */
    record ChainRest(String chain, int at, ArrayNode rest) implements Frame {}

    /** Member {@code index} of group {@code group}. */
    record Member(String group, int index) implements Frame {}

    /** The link in a job's headers, or null when the job is not part of a workflow. */
    static WorkflowLink of(Job job, ObjectMapper mapper) {
        Map<String, String> h = job.headers();
        if (!h.containsKey(WORKFLOW)) return null;
        String where = "job " + job.id() + " header " + WORKFLOW;
        String wf = WorkflowKeys.requireId(h.get(WORKFLOW), where);
        String node = WorkflowKeys.requireNode(h.get(NODE), "job " + job.id() + " header " + NODE);
        String next = h.get(NEXT);
        return new WorkflowLink(wf, node, next == null ? List.of() : parseFrames(next, "job " + job.id() + " header " + NEXT));
    }

    static List<Frame> parseFrames(String json, String where) {
        JsonNode arr = FlowSpec.parse(json, where);
        return parseFrames(arr, where);
    }

    static List<Frame> parseFrames(JsonNode arr, String where) {
        if (arr == null || !arr.isArray()) throw new WorkflowFormatException(where + " must be a JSON array of frames");
        List<Frame> frames = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            JsonNode f = arr.get(i);
            String at = where + "[" + i + "]";
            if (f.has("chain")) {
                String chain = WorkflowKeys.requireNode(f.get("chain").asText(null), at);
                JsonNode rest = f.get("rest");
                if (!f.path("at").canConvertToInt() || f.get("at").asInt() < 1 || rest == null || !rest.isArray()
                        || rest.isEmpty()) {
                    throw new WorkflowFormatException(at + ": a chain frame needs \"at\" >= 1 and a non-empty \"rest\"");
                }
                for (int k = 0; k < rest.size(); k++) FlowSpec.check(rest.get(k), at + ".rest[" + k + "]");
                frames.add(new ChainRest(chain, f.get("at").asInt(), (ArrayNode) rest));
            } else if (f.has("group")) {
                String group = WorkflowKeys.requireNode(f.get("group").asText(null), at);
                if (!f.path("member").canConvertToInt() || f.get("member").asInt() < 0) {
                    throw new WorkflowFormatException(at + ": a group frame needs \"member\" >= 0");
                }
                frames.add(new Member(group, f.get("member").asInt()));
            } else {
                throw new WorkflowFormatException(at + ": a frame must have \"chain\" or \"group\", was "
                        + FlowSpec.abbreviate(f));
            }
        }
        return List.copyOf(frames);
    }

    static ArrayNode toJson(List<Frame> frames, ObjectMapper mapper) {
        ArrayNode arr = mapper.createArrayNode();
        for (Frame f : frames) {
            ObjectNode o = arr.addObject();
            switch (f) {
                case ChainRest c -> {
                    o.put("chain", c.chain());
                    o.put("at", c.at());
                    o.set("rest", c.rest());
                }
                case Member m -> {
                    o.put("group", m.group());
                    o.put("member", m.index());
                }
            }
        }
        return arr;
    }

    /** The headers of a job that runs {@code node} of workflow {@code wf}, followed by {@code next}. */
    static Map<String, String> headers(String wf, String node, List<Frame> next, ObjectMapper mapper) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(WORKFLOW, wf);
        h.put(NODE, node);
        if (!next.isEmpty()) h.put(NEXT, toJson(next, mapper).toString());
        return h;
    }
}
