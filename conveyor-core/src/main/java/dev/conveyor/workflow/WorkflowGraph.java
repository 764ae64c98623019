package dev.conveyor.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.Page;
import dev.conveyor.broker.StateStore;
import dev.conveyor.job.JobInfo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A workflow's nodes with each one's state, for display ({@code conveyor jobs show}, dashboards). Steps take
 * the state of their job ({@code -} while not enqueued yet); groups show how many members finished and failed;
 * steps a handler fanned out into appear under its node as {@code <node>.r…}.
 *
 * <p>Reading it lists the jobs of the workflow's queues enqueued since it started (at most
 * {@link #MAX_SCANNED} jobs): meant for people looking at one workflow, not for a hot path.
 *
 * @param id     the workflow id
 * @param state  the workflow's state (null if its record is gone)
 * @param root   the tree (null when its shape was too large to store: then {@code jobs} still lists every job)
 * @param jobs   the workflow's jobs by node path
 * @param failure which step failed and why, when it failed
 */
public record WorkflowGraph(String id, WorkflowState state, Node root, Map<String, JobInfo> jobs, String failure) {
    /** Most jobs read to find a workflow's. */
    public static final int MAX_SCANNED = 50_000;

    /**
     * One node.
     *
     * @param path     e.g. {@code 0.1.3}
     * @param kind     {@code step}, {@code chain} or {@code group}
     * @param task     a step's task name, else null
     * @param state    a step's job state, {@code -} before its job exists; for chains and groups a summary
     * @param jobId    a step's job id, or null
     * @param children a chain's or group's nodes (and the flow a step fanned out into)
     */
    public record Node(String path, String kind, String task, String state, String jobId, List<Node> children) {}

    static WorkflowGraph read(String id, StateStore state, JobStore store) {
        WorkflowRecord record = state.readState(WorkflowKeys.record(id))
                .map(r -> WorkflowRecord.parse(r, "state " + WorkflowKeys.record(id))).orElse(null);
        JsonNode spec = state.readState(WorkflowKeys.spec(id)).map(s -> FlowSpec.parse(s, "workflow spec")).orElse(null);
        Set<String> queues = new LinkedHashSet<>();
        if (spec != null) collectQueues(spec, queues);
        Map<String, JobInfo> jobs = findJobs(id, store, spec == null ? null : queues);
        for (JobInfo j : List.copyOf(jobs.values())) queues.add(j.job().queue());
        Node root = spec == null ? null : node("0", spec, jobs, id, state);
        return new WorkflowGraph(id, record == null ? null : record.state(), root, jobs,
                record != null && record.failure() != null ? record.failure().describe() : null);
    }

    private static Node node(String path, JsonNode spec, Map<String, JobInfo> jobs, String id, StateStore state) {
        FlowSpec.Kind kind = FlowSpec.kind(spec);
        if (kind == FlowSpec.Kind.STEP) {
            JobInfo j = jobs.get(path);
            List<Node> fanned = new ArrayList<>();
            for (Map.Entry<String, JobInfo> e : jobs.entrySet()) {
                if (e.getKey().startsWith(path + ".r")) {
                    JobInfo f = e.getValue();
                    fanned.add(new Node(e.getKey(), "step", f.job().task(), f.state().name(), f.id(), List.of()));
                }
            }
            return new Node(path, "step", spec.get("task").asText(), j == null ? "-" : j.state().name(),
                    j == null ? null : j.id(), fanned);
        }
        List<Node> kids = new ArrayList<>();
        JsonNode children = FlowSpec.children(spec);
        for (int i = 0; i < children.size(); i++) kids.add(node(path + "." + i, children.get(i), jobs, id, state));
        String summary;
        if (kind == FlowSpec.Kind.GROUP) {
            Optional<String> raw = state.readState(WorkflowKeys.group(id, path));
            if (raw.isEmpty()) {
                summary = "-";
            } else {
                GroupState g = GroupState.parse(raw.get(), "group " + path);
                summary = g.finished() + "/" + g.size() + " finished, " + g.failed() + " failed"
                        + (g.closedBy() != null ? " (FAILED at member " + g.closedBy() + ")" : g.complete() ? " (done)" : "");
            }
        } else {
            long done = kids.stream().filter(k -> k.state().equals("SUCCEEDED") || k.state().endsWith("(done)")).count();
            summary = done + "/" + kids.size() + " done";
        }
        return new Node(path, kind == FlowSpec.Kind.GROUP ? "group" : "chain", null, summary, null, kids);
    }

    private static void collectQueues(JsonNode spec, Set<String> out) {
        if (FlowSpec.kind(spec) == FlowSpec.Kind.STEP) {
            out.add(spec.path("queue").asText());
        } else {
            for (JsonNode k : FlowSpec.children(spec)) collectQueues(k, out);
        }
    }

    /** The workflow's jobs by node: those of its queues with ids from a minute before its id on. */
    private static Map<String, JobInfo> findJobs(String id, JobStore store, Set<String> queues) {
        Map<String, JobInfo> byNode = new TreeMap<>(WorkflowGraph::comparePaths);
        String from = cursorBefore(id);
        List<String> scan = queues == null ? java.util.Collections.singletonList(null) : List.copyOf(queues);
        int scanned = 0;
        for (String q : scan) {
            String after = from;
            while (scanned < MAX_SCANNED) {
                Page<JobInfo> page = store.list(new JobQuery(null, q, null, after, JobQuery.MAX_LIMIT));
                for (JobInfo j : page.items()) {
                    scanned++;
                    if (id.equals(j.job().headers().get(WorkflowLink.WORKFLOW))) {
                        String node = j.job().headers().get(WorkflowLink.NODE);
                        if (node != null) byNode.merge(node, j, (a, b) -> a.id().compareTo(b.id()) >= 0 ? a : b);
                    }
                }
                if (page.nextCursor() == null) break;
                after = page.nextCursor();
            }
        }
        return byNode;
    }

    /** A UUIDv7-shaped cursor a minute before the workflow id's time (ids of other processes' clocks may lag). */
    static String cursorBefore(String id) {
        try {
            UUID u = UUID.fromString(id);
            long ms = (u.getMostSignificantBits() >>> 16) - 60_000;
            return new UUID((Math.max(0, ms) << 16) | 0x7000L, 0x8000_0000_0000_0000L).toString();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static int comparePaths(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = x[i].chars().allMatch(Character::isDigit) && y[i].chars().allMatch(Character::isDigit)
                    ? Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i])) : x[i].compareTo(y[i]);
            if (c != 0) return c;
        }
        return Integer.compare(x.length, y.length);
    }

    /** The tree as indented text, one node a line, groups of more than {@code 20} members abridged. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("workflow ").append(id).append(": ").append(state == null ? "(record expired)" : state).append('\n');
        if (failure != null) sb.append("  failed at ").append(failure).append('\n');
        if (root != null) {
            render(root, "  ", sb);
        } else {
            sb.append("  (shape not stored: too large)\n");
            jobs.forEach((node, j) -> sb.append("  ").append(node).append(" ").append(j.job().task()).append(" ")
                    .append(j.state()).append(" ").append(j.id()).append('\n'));
        }
        return sb.toString();
    }

    private static void render(Node n, String indent, StringBuilder sb) {
        sb.append(indent).append(n.path()).append(' ').append(n.kind());
        if (n.task() != null) sb.append(' ').append(n.task());
        sb.append(": ").append(n.state());
        if (n.jobId() != null) sb.append("  job ").append(n.jobId());
        sb.append('\n');
        List<Node> kids = n.children();
        int shown = 0;
        for (Node k : kids) {
            if (kids.size() > 20 && shown >= 10 && shown < kids.size() - 5) {
                if (shown == 10) sb.append(indent).append("  … ").append(kids.size() - 15).append(" more\n");
                shown++;
                continue;
            }
            render(k, indent + "  ", sb);
            shown++;
        }
    }
}
