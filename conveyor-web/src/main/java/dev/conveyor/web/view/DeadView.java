package dev.conveyor.web.view;

import dev.conveyor.admin.JobFilter;
import dev.conveyor.job.JobInfo;

/** The dead-letter page's extra pieces: re-drive by filter (with a dry-run count) and purge, and row buttons. */
public final class DeadView {
    private DeadView() {}

    /** The bulk actions for the current filter; the form repeats the filter as hidden fields. */
    public static String bulk(JobFilter f, String back, String csrf) {
        StringBuilder h = new StringBuilder("<div class=\"bulk\" id=\"bulk\"><form method=\"post\" action=\"/api/dead/redrive\" class=\"inline\">")
                .append(Forms.csrf(csrf)).append(hidden("_back", back)).append(hidden("queue", f.queue()))
                .append(hidden("task", f.task())).append(hidden("args", f.args())).append(hidden("error", f.error()))
                .append("<button type=\"submit\" name=\"dryRun\" value=\"true\" id=\"dry-run\">Count matching (dry run)</button> ")
                .append("<button type=\"submit\" name=\"dryRun\" value=\"false\" id=\"redrive-matching\" class=\"danger\" ")
                .append("data-confirm=\"Re-drive every dead job matching this filter?\">Re-drive all matching</button></form> ");
        String q = f.queue();
        h.append(Forms.button("/api/dead/purge", q == null ? "Purge all dead jobs" : "Purge dead jobs of " + q, back, csrf,
                "Delete " + (q == null ? "every dead job" : "every dead job of queue " + q) + " for good?", "queue", q == null ? "" : q));
        return h.append("</div>").toString();
    }

    /** A dead row's buttons: re-drive and delete. */
    public static String row(JobInfo i, String back, String csrf) {
        String base = "/api/jobs/" + Html.url(i.id());
        return Forms.button(base + "/redrive", "Re-drive", back, csrf, null)
                + Forms.button(base + "/delete", "Delete", back, csrf, "Delete job " + i.id() + " for good?");
    }

    private static String hidden(String name, String value) {
        return value == null ? "" : "<input type=\"hidden\" name=\"" + name + "\" value=\"" + Html.esc(value) + "\">";
    }
}
