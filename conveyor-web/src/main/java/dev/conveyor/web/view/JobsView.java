package dev.conveyor.web.view;

import dev.conveyor.admin.JobFilter;
import dev.conveyor.admin.JobSearch;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.util.LinkedHashMap;
import java.util.Map;

/** Jobs by state with the search form and keyset paging ("next page" carries the last id as the cursor). */
public final class JobsView {
    private JobsView() {}

    /**
     * @param path   the listing's own path ({@code /jobs} or {@code /dead}), for the form and the paging links
     * @param extra  HTML placed between the form and the table (the dead-letter actions), or empty
     * @param rowActions renders a row's action buttons, or null for none
     */
    public static String render(String path, JobFilter f, int size, JobSearch.Result page, boolean stateChoice,
                                String extra, java.util.function.Function<JobInfo, String> rowActions) {
        StringBuilder h = new StringBuilder();
        h.append("<form method=\"get\" action=\"").append(path).append("\" class=\"filters\" id=\"filters\">");
        if (stateChoice) {
            h.append("<label>State <select name=\"state\" id=\"f-state\"><option value=\"\">any</option>");
            for (JobState s : JobState.values()) {
                h.append("<option value=\"").append(s.name()).append('"').append(s == f.state() ? " selected" : "")
                        .append('>').append(s.name().toLowerCase()).append("</option>");
            }
            h.append("</select></label>");
        }
        field(h, "Queue", "queue", f.queue());
        field(h, "Task", "task", f.task());
        field(h, "Id", "id", f.id());
        field(h, "Args contain", "args", f.args());
        field(h, "Error contains", "error", f.error());
        h.append("<input type=\"hidden\" name=\"size\" value=\"").append(size).append("\">")
                .append("<button type=\"submit\" id=\"search\">Search</button></form>");
        h.append(extra);
        if (page.items().isEmpty()) {
            h.append("<p id=\"no-jobs\">No jobs match").append(page.partial() ? " among the " + page.scanned() + " scanned" : "")
                    .append(".</p>");
        } else {
            h.append("<table id=\"jobs\"><thead><tr><th>Id</th><th>Task</th><th>Queue</th><th>State</th>")
                    .append("<th class=\"num\">Attempt</th><th>Enqueued</th><th>Last error</th>")
                    .append(rowActions == null ? "" : "<th></th>").append("</tr></thead><tbody>");
            for (JobInfo i : page.items()) {
                AttemptError e = i.lastError();
                h.append("<tr data-id=\"").append(Html.esc(i.id())).append("\"><td><a class=\"job-link mono\" href=\"/jobs/")
                        .append(Html.url(i.id())).append("\">").append(Html.esc(i.id())).append("</a></td><td>")
                        .append(Html.esc(i.job().task())).append("</td><td>").append(Html.esc(i.job().queue()))
                        .append("</td><td><span class=\"state ").append(i.state().name().toLowerCase()).append("\">")
                        .append(i.state().name().toLowerCase()).append("</span></td><td class=\"num\">")
                        .append(i.job().attempt()).append('/').append(i.job().maxAttempts()).append("</td><td>")
                        .append(Fmt.time(i.job().enqueuedAt())).append("</td><td class=\"error-text\">")
                        .append(e == null ? "" : Html.esc(shorten(e.type() + ": " + e.message(), 160))).append("</td>");
                if (rowActions != null) h.append("<td>").append(rowActions.apply(i)).append("</td>");
                h.append("</tr>");
            }
            h.append("</tbody></table>");
        }
        h.append("<p class=\"paging\">");
        if (page.partial()) {
            h.append("Scanned ").append(page.scanned()).append(" jobs for the text; more may match. ");
        }
        if (page.nextCursor() != null) {
            h.append("<a id=\"next-page\" href=\"").append(path).append('?').append(Html.esc(query(f, size, page.nextCursor())))
                    .append("\">").append(page.partial() ? "Scan on →" : "Next page →").append("</a> ");
        }
        h.append("<a href=\"").append(path).append('?').append(Html.esc(query(f, size, null))).append("\">First page</a></p>");
        return h.toString();
    }

    /** The query string for a listing with this filter, size and cursor. */
    public static String query(JobFilter f, int size, String cursor) {
        Map<String, String> p = new LinkedHashMap<>();
        if (f.state() != null) p.put("state", f.state().name());
        p.put("queue", f.queue());
        p.put("task", f.task());
        p.put("id", f.id());
        p.put("args", f.args());
        p.put("error", f.error());
        p.put("size", Integer.toString(size));
        p.put("cursor", cursor);
        StringBuilder q = new StringBuilder();
        p.forEach((k, v) -> {
            if (v != null) q.append(q.isEmpty() ? "" : "&").append(k).append('=').append(Html.url(v));
        });
        return q.toString();
    }

    private static void field(StringBuilder h, String label, String name, String value) {
        h.append("<label>").append(label).append(" <input type=\"search\" name=\"").append(name).append("\" id=\"f-")
                .append(name).append("\" value=\"").append(Html.esc(value)).append("\"></label>");
    }

    static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
