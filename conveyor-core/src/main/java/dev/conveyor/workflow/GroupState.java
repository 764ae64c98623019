package dev.conveyor.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;

/**
 * A running group's shared progress, one state value updated by compare-and-set: which members have finished
 * (a bitmap, so a member that runs twice is counted once), how many failed, and what follows the group.
 * <pre>
 * {"size":1000,"done":"&lt;base64 bitmap&gt;","finished":12,"failed":0,"onFailure":"fail","closedBy":7,"next":[frames]}
 * </pre>
 * {@code closedBy} is set when a member failed under {@link Flow.OnFailure#FAIL}: the group has failed, later
 * members change nothing.
 */
record GroupState(int size, BitSet done, int finished, int failed, Flow.OnFailure onFailure, Integer closedBy,
                  List<WorkflowLink.Frame> next) {

    static GroupState open(int size, Flow.OnFailure onFailure, List<WorkflowLink.Frame> next) {
        return new GroupState(size, new BitSet(size), 0, 0, onFailure, null, next);
    }

    boolean isDone(int member) {
        return done.get(member);
    }

    boolean complete() {
        return closedBy == null && finished == size;
    }

    /** This state with {@code member} finished (and failed, if {@code failure}); closes it on a failure under FAIL. */
    GroupState finish(int member, boolean failure) {
        BitSet d = (BitSet) done.clone();
        d.set(member);
        Integer closed = failure && onFailure == Flow.OnFailure.FAIL ? Integer.valueOf(member) : closedBy;
        return new GroupState(size, d, finished + 1, failed + (failure ? 1 : 0), onFailure, closed, next);
    }

    String toJson(ObjectMapper mapper) {
        ObjectNode n = mapper.createObjectNode();
        n.put("size", size);
        n.put("done", Base64.getEncoder().encodeToString(done.toByteArray()));
        n.put("finished", finished);
        n.put("failed", failed);
        n.put("onFailure", onFailure == Flow.OnFailure.PARTIAL ? "partial" : "fail");
        if (closedBy != null) n.put("closedBy", closedBy);
        n.set("next", WorkflowLink.toJson(next, mapper));
        return n.toString();
    }

    static GroupState parse(String json, String where) {
        JsonNode n = FlowSpec.parse(json, where);
        try {
            int size = n.get("size").asInt(-1);
            if (size < 1 || size > FlowSpec.MAX_GROUP_SIZE) throw new IllegalArgumentException("size " + n.get("size"));
            BitSet done = BitSet.valueOf(Base64.getDecoder().decode(n.get("done").asText()));
            if (done.length() > size) throw new IllegalArgumentException("bitmap longer than size");
            int finished = n.get("finished").asInt(-1);
            if (finished != done.cardinality()) throw new IllegalArgumentException("finished " + finished + " != bitmap");
            int failed = n.get("failed").asInt(-1);
            if (failed < 0 || failed > finished) throw new IllegalArgumentException("failed " + failed);
            Flow.OnFailure policy = "partial".equals(n.path("onFailure").asText()) ? Flow.OnFailure.PARTIAL : Flow.OnFailure.FAIL;
            Integer closedBy = n.hasNonNull("closedBy") ? n.get("closedBy").asInt() : null;
            return new GroupState(size, done, finished, failed, policy, closedBy,
                    WorkflowLink.parseFrames(n.get("next"), where + ".next"));
        } catch (WorkflowFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new WorkflowFormatException(where + " is not a group state: " + e.getMessage());
        }
    }
}
