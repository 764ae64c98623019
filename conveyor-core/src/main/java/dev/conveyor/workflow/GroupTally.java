package dev.conveyor.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.broker.StateStore;
import java.util.List;
import java.util.Map;

/**
 * Counts a group's members as they finish, each exactly once, and says who moves the group on: the member's
 * outcome goes under its own key (first write wins), then its bit is set in the group's state by
 * compare-and-set. Whoever finds every bit set gets the outcomes in member order.
 */
final class GroupTally {
    private final StateStore state;
    private final ObjectMapper mapper;

    GroupTally(StateStore state, ObjectMapper mapper) {
        this.state = state;
        this.mapper = mapper;
    }

    record Reported(Kind kind, JsonNode results, List<WorkflowLink.Frame> next) {
        enum Kind { NOTHING, COMPLETE, FAILED }
    }

    /** Records member {@code m}'s outcome, once; says whether the caller moves the group on. */
    Reported report(String wf, WorkflowLink.Member m, ObjectNode entry) {
        String memberKey = WorkflowKeys.member(wf, m.group(), m.index());
        String value = entry.toString();
        if (value.length() > StateStore.MAX_VALUE_LENGTH) {
            throw new WorkflowFormatException("the result of member " + m.index() + " of group " + m.group()
                    + " in workflow " + wf + " is " + value.length() + " characters; a member's result is kept in "
                    + "a state value of at most " + StateStore.MAX_VALUE_LENGTH
                    + ": return a reference (a key, a URL) instead of the data");
        }
        if (state.readState(memberKey).isEmpty()) {
            state.compareAndSetState(memberKey, null, value); // first outcome wins; a repeat keeps it
        }
        String groupKey = WorkflowKeys.group(wf, m.group());
        for (int spin = 0; ; spin++) {
            String raw = state.readState(groupKey).orElseThrow(() -> new WorkflowFormatException("workflow " + wf
                    + ": group " + m.group() + " has no state (expired or deleted); member " + m.index()
                    + " cannot report"));
            GroupState g = GroupState.parse(raw, "state " + groupKey);
            if (m.index() >= g.size()) {
                throw new WorkflowFormatException("workflow " + wf + ": member " + m.index() + " of group " + m.group()
                        + ", which has " + g.size());
            }
            if (g.closedBy() != null) {
                // A repeat of the member that failed the group redoes the failure's way up (idempotent).
                return new Reported(g.closedBy() == m.index() ? Reported.Kind.FAILED : Reported.Kind.NOTHING, null, g.next());
            }
            if (g.isDone(m.index())) {
                // Counted before: a repeat. If the group is complete, go on again (the enqueues are duplicates).
                return g.complete() ? complete(wf, m.group(), g) : new Reported(Reported.Kind.NOTHING, null, g.next());
            }
            boolean failure = !entry.path("ok").asBoolean();
            GroupState u = g.finish(m.index(), failure);
            if (state.compareAndSetState(groupKey, raw, u.toJson(mapper))) {
                if (u.closedBy() != null) return new Reported(Reported.Kind.FAILED, null, u.next());
                return u.complete() ? complete(wf, m.group(), u) : new Reported(Reported.Kind.NOTHING, null, u.next());
            }
            if (spin > 8) Thread.onSpinWait(); // lost to another member: read again and decide again
        }
    }

    /** Every member finished: their outcomes in order, as results (FAIL) or {@link MemberResult}s (PARTIAL). */
    private Reported complete(String wf, String group, GroupState g) {
        String prefix = WorkflowKeys.members(wf, group);
        Map<String, String> entries = state.readStates(prefix);
        JsonNode[] byIndex = new JsonNode[g.size()];
        for (Map.Entry<String, String> e : entries.entrySet()) {
            String suffix = e.getKey().substring(prefix.length());
            if (!suffix.chars().allMatch(Character::isDigit) || suffix.isEmpty() || suffix.length() > 6) continue;
            int i = Integer.parseInt(suffix);
            if (i < g.size()) byIndex[i] = FlowSpec.parse(e.getValue(), "state " + e.getKey());
        }
        ArrayNode out = mapper.createArrayNode();
        for (int i = 0; i < byIndex.length; i++) {
            if (byIndex[i] == null) {
                throw new WorkflowFormatException("workflow " + wf + ": group " + group + " is complete but member "
                        + i + " has no stored outcome (expired or deleted)");
            }
            out.add(g.onFailure() == Flow.OnFailure.PARTIAL ? byIndex[i] : byIndex[i].get("result"));
        }
        return new Reported(Reported.Kind.COMPLETE, out, g.next());
    }
}
