package dev.conveyor.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.job.Job;

/**
 * A {@link Flow} as JSON, the form it travels in (job headers, state values). One object per node:
 * <pre>
 * {"task":"resize","queue":"images","args":{…}}     a step ("args" absent: the previous result)
 * {"chain":[node, …]}                                a chain
 * {"group":[node, …],"onFailure":"partial"}          a group ("onFailure" absent: fail)
 * </pre>
 * Specs read back from the broker are untrusted: {@link #check} says what is wrong and where.
 */
final class FlowSpec {
    /** Deepest nesting accepted: node paths must fit in state keys and unique keys. */
    static final int MAX_DEPTH = 32;
    /** Most members in one group: its state value holds one bit per member. */
    static final int MAX_GROUP_SIZE = 100_000;

    enum Kind { STEP, CHAIN, GROUP }

    private FlowSpec() {}

    static ObjectNode of(Flow flow, ObjectMapper mapper) {
        ObjectNode n = mapper.createObjectNode();
        switch (flow) {
            case Flow.Step s -> {
                n.put("task", s.task().name());
                n.put("queue", s.task().options().queue());
                if (s.args() != null) n.set("args", argsTree(s, mapper));
            }
            case Flow.Chain c -> {
                ArrayNode a = n.putArray("chain");
                for (Flow f : c.flows()) a.add(of(f, mapper));
            }
            case Flow.Group g -> {
                if (g.flows().size() > MAX_GROUP_SIZE) {
                    throw new IllegalArgumentException("a group has " + g.flows().size() + " members; the limit is "
                            + MAX_GROUP_SIZE + " (nest groups for more)");
                }
                ArrayNode a = n.putArray("group");
                for (Flow f : g.flows()) a.add(of(f, mapper));
                if (g.onFailure() == Flow.OnFailure.PARTIAL) n.put("onFailure", "partial");
            }
        }
        return n;
    }

    static Kind kind(JsonNode spec) {
        if (spec != null && spec.isObject()) {
            if (spec.has("task")) return Kind.STEP;
            if (spec.has("chain")) return Kind.CHAIN;
            if (spec.has("group")) return Kind.GROUP;
        }
        throw new WorkflowFormatException("workflow node must be an object with 'task', 'chain' or 'group', was "
                + abbreviate(spec));
    }

    /** Children of a chain or group. */
    static ArrayNode children(JsonNode spec) {
        return (ArrayNode) spec.get(kind(spec) == Kind.CHAIN ? "chain" : "group");
    }

    static Flow.OnFailure onFailure(JsonNode group) {
        return "partial".equals(group.path("onFailure").asText()) ? Flow.OnFailure.PARTIAL : Flow.OnFailure.FAIL;
    }

    /** Checks a whole spec (read from the broker, so untrusted); {@code where} names it in the message. */
    static void check(JsonNode spec, String where) {
        check(spec, where, 0);
    }

    private static void check(JsonNode spec, String where, int depth) {
        if (depth > MAX_DEPTH) throw new WorkflowFormatException(where + ": nested deeper than " + MAX_DEPTH);
        switch (kind(spec)) {
            case STEP -> {
                String task = spec.get("task").isTextual() ? spec.get("task").asText() : null;
                String queue = spec.path("queue").isTextual() ? spec.get("queue").asText() : null;
                try {
                    Job.requireTaskName(task);
                    Job.requireQueueName(queue);
                } catch (IllegalArgumentException e) {
                    throw new WorkflowFormatException(where + ": " + e.getMessage());
                }
            }
            case CHAIN, GROUP -> {
                JsonNode kids = spec.has("chain") ? spec.get("chain") : spec.get("group");
                if (!kids.isArray()) throw new WorkflowFormatException(where + ": 'chain'/'group' must be an array");
                if (kids.size() > MAX_GROUP_SIZE) {
                    throw new WorkflowFormatException(where + ": " + kids.size() + " children; the limit is " + MAX_GROUP_SIZE);
                }
                for (int i = 0; i < kids.size(); i++) check(kids.get(i), where + "[" + i + "]", depth + 1);
            }
        }
    }

    /**
     * A step's args as a tree with their decimals as the caller's mapper writes them: written as text, then read
     * exactly ({@code valueToTree} would drop a {@code BigDecimal}'s trailing zeros: 1.50 became 1.5).
     */
    private static JsonNode argsTree(Flow.Step s, ObjectMapper mapper) {
        try {
            return dev.conveyor.internal.Json.readExact(mapper.writeValueAsString(s.args()));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("args of step '" + s.task().name() + "' cannot be written as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads a spec, a step's result or a state record with decimals kept exact ({@code Json.readExact}): a result
     * passed on as the next step's args keeps every digit.
     */
    static JsonNode parse(String json, String where) {
        try {
            return dev.conveyor.internal.Json.readExact(json);
        } catch (JsonProcessingException e) {
            throw new WorkflowFormatException(where + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    static String abbreviate(Object o) {
        String s = String.valueOf(o);
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }
}
