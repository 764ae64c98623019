package dev.conveyor.web.view;

import dev.conveyor.web.AuditLog;
import java.util.List;

/** The latest operator actions, newest first (the full record is the audit logger and file). */
public final class AuditView {
    private AuditView() {}

    public static String render(List<AuditLog.Entry> entries) {
        if (entries.isEmpty()) return "<p id=\"no-audit\">No operator actions since the dashboard started.</p>";
        StringBuilder h = new StringBuilder("<table id=\"audit\"><thead><tr><th>When</th><th>User</th><th>Role</th><th>From</th>"
                + "<th>Action</th><th>Target</th><th>Result</th></tr></thead><tbody>");
        for (AuditLog.Entry e : entries) {
            h.append("<tr><td>").append(Fmt.time(e.at())).append("</td><td>").append(Html.esc(e.user())).append("</td><td>")
                    .append(Html.esc(e.role())).append("</td><td>").append(Html.esc(e.ip())).append("</td><td>")
                    .append(Html.esc(e.action())).append("</td><td class=\"mono\">").append(Html.esc(e.target()))
                    .append("</td><td>").append(Html.esc(e.result())).append("</td></tr>");
        }
        return h.append("</tbody></table>").toString();
    }
}
