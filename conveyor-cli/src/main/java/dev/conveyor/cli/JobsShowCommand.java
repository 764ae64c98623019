package dev.conveyor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.Conveyor;
import dev.conveyor.broker.Brokers;
import dev.conveyor.internal.Durations;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code conveyor jobs show ID}: everything the store knows about one job, and the graph of its workflow. */
@Command(name = "show", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Shows one job: its envelope, args, result and every error with its stack trace.",
                "For a job of a workflow (or given a workflow id), also the workflow's graph with each node's state."},
        footer = {"", "Example:", "  conveyor jobs show 0197a3c2-5d1e-7c4a-9f00-1b2c3d4e5f60"})
final class JobsShowCommand extends BrokerCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", paramLabel = "ID", description = "The job's id, or a workflow's.")
    String id;

    @Override
    protected int run() {
        JobInfo info;
        Instant now;
        String graph;
        try (Conveyor conveyor = open()) {
            info = store(conveyor).get(id).orElse(null);
            String workflowId = info == null ? id : info.job().headers().get(WORKFLOW_HEADER);
            graph = workflowId == null ? null : workflowGraph(conveyor, workflowId, info == null);
            if (info == null && graph == null) {
                throw CliException.failure("no job " + id + " on " + Brokers.redact(brokerUrl())
                        + " (never enqueued there, or deleted/purged), and no workflow with that id");
            }
            now = conveyor.clock().instant();
        }
        if (info != null) print(out(), info, now);
        if (graph != null) {
            out().print(graph);
            out().flush();
        }
        return ExitCodes.OK;
    }

    /** The header naming a job's workflow (docs/PROTOCOL.md). */
    static final String WORKFLOW_HEADER = "conveyor-workflow";

    /**
     * The workflow's graph with each node's state, or null when there is none to show: the broker has no shared
     * state, or no such workflow is stored ({@code quiet} when the id was not a job's either).
     */
    private String workflowGraph(Conveyor conveyor, String workflowId, boolean quiet) {
        if (!conveyor.broker().capabilities().contains(dev.conveyor.broker.Capability.STATE)) return null;
        try {
            dev.conveyor.workflow.WorkflowGraph g = conveyor.workflows().graph(workflowId);
            if (g.state() == null && g.jobs().isEmpty()) return quiet ? null : "workflow " + workflowId + ": not stored (expired)\n";
            return g.render();
        } catch (RuntimeException e) {
            return quiet ? null : "workflow " + workflowId + ": cannot be shown: " + e.getMessage() + "\n";
        }
    }

    static void print(PrintWriter out, JobInfo info, Instant now) {
        Job j = info.job();
        out.println("Job " + j.id());
        field(out, "task", j.task());
        field(out, "queue", j.queue());
        field(out, "state", info.state() + (info.deadReason() != null ? ": " + info.deadReason() : "")
                + (info.cancelRequested() && !info.state().isFinished() ? " (cancel requested)" : ""));
        if (info.progress() != null) {
            field(out, "progress", info.progress().percent() + "%" + (info.progress().message().isEmpty() ? ""
                    : " " + info.progress().message()) + " (" + Format.relative(info.progress().at(), now) + ")");
        }
        field(out, "attempt", j.attempt() + " failed of at most " + j.maxAttempts());
        field(out, "deliveries", j.deliveries() + " (quarantined after " + j.maxDeliveries() + " lost leases)");
        field(out, "priority", j.priority());
        field(out, "enqueued", when(j.enqueuedAt(), now));
        field(out, "run at", when(j.runAt(), now));
        field(out, "updated", when(info.updatedAt(), now));
        field(out, "finished", when(info.finishedAt(), now));
        java.time.Duration keep = j.keepResultFor();
        if (keep != null) { // its own keep time (Task.Builder.keepResultFor); else the workers' Retention decides
            field(out, "kept", info.state() == dev.conveyor.job.JobState.SUCCEEDED && info.finishedAt() != null
                    ? "until " + when(info.finishedAt().plus(keep), now) + " (its own keep time, " + Durations.format(keep) + ")"
                    : Durations.format(keep) + " after it succeeds (its own keep time)");
        }
        if (info.leaseUntil() != null) field(out, "lease until", when(info.leaseUntil(), now));
        field(out, "expires", j.expiresAt() == null ? "never (no age limit)" : when(j.expiresAt(), now));
        field(out, "timeout", j.timeout() == null ? "none" : Durations.format(j.timeout()));
        field(out, "unique key", j.uniqueKey() == null ? "-" : j.uniqueKey()
                + (j.uniqueFor() == null ? "" : " (held " + Durations.format(j.uniqueFor()) + " after finish)"));
        if (j.parentId() != null) field(out, "parent", j.parentId());
        if (j.groupId() != null) field(out, "group", j.groupId());
        if (!j.headers().isEmpty()) {
            out.println("headers:");
            for (Map.Entry<String, String> h : new TreeMap<>(j.headers()).entrySet()) {
                out.println("  " + h.getKey() + ": " + h.getValue());
            }
        }
        out.println("args:");
        out.println(indent(pretty(dev.conveyor.job.SensitiveFields.maskedArgs(j)), "  ")); // the task's sensitive fields as ***
        out.println("result:");
        out.println(info.result() == null ? "  -" : indent(pretty(dev.conveyor.job.SensitiveFields.mask(info.result(), dev.conveyor.job.SensitiveFields.of(j))), "  "));
        out.println("errors: " + (info.errors().isEmpty() ? "none" : info.errors().size()));
        int n = 0;
        for (AttemptError e : info.errors()) {
            out.println("  #" + (++n) + " attempt " + e.attempt() + " at " + Format.exact(e.at()) + ": "
                    + e.type() + ": " + e.message());
            if (e.stackTrace() != null && !e.stackTrace().isBlank()) {
                out.println(indent(e.stackTrace().stripTrailing(), "      "));
            }
        }
        out.flush();
    }

    private static void field(PrintWriter out, String name, Object value) {
        out.printf("  %-12s %s%n", name + ":", value);
    }

    private static String when(Instant t, Instant now) {
        return t == null ? "-" : Format.exact(t) + " (" + Format.relative(t, now) + ")";
    }

    /** Pretty-printed JSON, or the text as it is when it is not JSON. */
    static String pretty(String json) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(json));
        } catch (Exception e) {
            return json;
        }
    }

    private static String indent(String text, String prefix) {
        return prefix + text.replace("\n", "\n" + prefix);
    }
}
