package dev.conveyor.web.view;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.job.SensitiveFields;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * One job: its fields, args and result as pretty JSON (sensitive fields masked), the timeline, every attempt's
 * error with its stack trace, workflow links, and the actions its state allows.
 */
public final class JobView {
    private static final ObjectMapper PRETTY = new ObjectMapper();

    private JobView() {}

    public static String render(JobInfo info, Instant now, boolean operator, String csrf) {
        Job j = info.job();
        Set<String> sensitive = SensitiveFields.of(j);
        String self = "/jobs/" + Html.url(j.id());
        StringBuilder h = new StringBuilder();
        h.append("<dl class=\"fields\" id=\"job\">");
        dt(h, "Id", "<span class=\"mono\" id=\"job-id\">" + Html.esc(j.id()) + "</span>");
        dt(h, "State", "<span class=\"state " + info.state().name().toLowerCase() + "\" id=\"job-state\">"
                + info.state().name().toLowerCase() + "</span>" + (info.cancelRequested() ? " (cancel requested)" : ""));
        dt(h, "Task", Html.esc(j.task()));
        dt(h, "Queue", "<a href=\"/jobs?queue=" + Html.url(j.queue()) + "\">" + Html.esc(j.queue()) + "</a>");
        dt(h, "Attempts", j.attempt() + " of " + j.maxAttempts() + " (deliveries " + j.deliveries() + ")");
        dt(h, "Priority", Integer.toString(j.priority()));
        java.time.Duration keep = j.keepResultFor();
        if (keep != null) { // its own keep time (Task.Builder.keepResultFor); else the workers' Retention decides
            dt(h, "Result kept", "<span id=\"kept\">" + (info.state() == JobState.SUCCEEDED && info.finishedAt() != null
                    ? "until " + Fmt.time(info.finishedAt().plus(keep)) + " (" + Fmt.relative(info.finishedAt().plus(keep), now) + ")"
                    : Fmt.age(keep) + " after it succeeds") + ", its own keep time</span>");
        }
        if (j.uniqueKey() != null) dt(h, "Unique key", Html.esc(j.uniqueKey()));
        if (info.deadReason() != null) dt(h, "Reason", "<span class=\"error-text\" id=\"dead-reason\">" + Html.esc(info.deadReason()) + "</span>");
        if (info.progress() != null) {
            dt(h, "Progress", info.progress().percent() + "% " + Html.esc(info.progress().message()));
        }
        String wf = j.headers().get("conveyor-workflow");
        if (wf != null || j.parentId() != null) {
            StringBuilder w = new StringBuilder();
            if (wf != null) w.append("workflow <span class=\"mono\">").append(Html.esc(wf)).append("</span> node ")
                    .append(Html.esc(j.headers().get("conveyor-workflow-node"))).append(' ');
            if (j.parentId() != null) w.append("· enqueued by <a class=\"mono\" id=\"parent-link\" href=\"/jobs/")
                    .append(Html.url(j.parentId())).append("\">").append(Html.esc(j.parentId())).append("</a> ");
            if (j.groupId() != null && !j.groupId().equals(wf)) w.append("· group <span class=\"mono\">").append(Html.esc(j.groupId())).append("</span>");
            dt(h, "Workflow", w.toString());
        }
        if (!sensitive.isEmpty()) dt(h, "Masked fields", Html.esc(String.join(", ", sensitive)));
        h.append("</dl>");
        if (operator && csrf != null) {
            h.append("<p class=\"actions\" id=\"job-actions\">");
            if (info.state() == JobState.DEAD || info.state() == JobState.CANCELLED) {
                h.append(Forms.button("/api/jobs/" + Html.url(j.id()) + "/redrive", "Re-drive", self, csrf, null));
            }
            if (!info.state().isFinished()) {
                h.append(Forms.button("/api/jobs/" + Html.url(j.id()) + "/cancel", "Cancel", self, csrf, "Cancel job " + j.id() + "?"));
            }
            if (info.state() != JobState.RUNNING) {
                h.append(Forms.button("/api/jobs/" + Html.url(j.id()) + "/delete", "Delete", "/jobs", csrf, "Delete job " + j.id() + " for good?"));
            }
            h.append("</p>");
        }
        h.append("<h2>Args</h2><pre id=\"args\" class=\"json\">").append(Html.esc(pretty(SensitiveFields.mask(j.args(), sensitive)))).append("</pre>");
        if (info.result() != null) {
            h.append("<h2>Result</h2><pre id=\"result\" class=\"json\">")
                    .append(Html.esc(pretty(SensitiveFields.mask(info.result(), sensitive)))).append("</pre>");
        }
        h.append("<h2>Timeline</h2><ol class=\"timeline\" id=\"timeline\">");
        for (Timeline.Event e : Timeline.of(info)) h.append("<li>").append(Fmt.time(e.at())).append(" — ").append(Html.esc(e.what())).append("</li>");
        h.append("</ol><h2>Attempts</h2>");
        if (info.errors().isEmpty()) h.append("<p class=\"muted\">No errors recorded.</p>");
        int n = 0;
        for (AttemptError e : info.errors()) {
            h.append("<section class=\"attempt\" id=\"attempt-").append(n++).append("\"><h3>")
                    .append(e.attempt() == 0 ? "Not run" : "Attempt " + e.attempt()).append(" · ").append(Fmt.time(e.at()))
                    .append("</h3><p class=\"error-text\"><b>").append(Html.esc(e.type())).append("</b>: ")
                    .append(Html.esc(e.message())).append("</p>");
            if (e.stackTrace() != null) h.append("<details><summary>Stack trace</summary><pre class=\"stack\">")
                    .append(Html.esc(e.stackTrace())).append("</pre></details>");
            h.append("</section>");
        }
        if (!j.headers().isEmpty()) {
            h.append("<h2>Headers</h2><dl class=\"fields\">");
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(j.headers()).entrySet()) dt(h, Html.esc(e.getKey()), Html.esc(e.getValue()));
            h.append("</dl>");
        }
        return h.toString();
    }

    private static void dt(StringBuilder h, String term, String html) {
        h.append("<dt>").append(term).append("</dt><dd>").append(html).append("</dd>");
    }

    private static String pretty(String json) {
        if (json == null) return "null";
        try {
            return PRETTY.writerWithDefaultPrettyPrinter().writeValueAsString(PRETTY.readTree(json));
        } catch (Exception e) {
            return json; // not JSON (a corrupt record's raw text): shown as it is, escaped
        }
    }
}
