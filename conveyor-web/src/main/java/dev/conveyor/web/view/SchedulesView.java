package dev.conveyor.web.view;

import dev.conveyor.schedule.ScheduleState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Cron schedules with their last and next fire times, and pause/resume. */
public final class SchedulesView {
    /** A next fire time this far past means no scheduler runs the schedule (as {@code conveyor schedules} says). */
    static final Duration ORPHANED_AFTER = Duration.ofMinutes(2);

    private SchedulesView() {}

    /** @param all the schedules by name, or null when the broker keeps no shared state */
    public static String render(Map<String, ScheduleState> all, Instant now, boolean operator, String csrf) {
        if (all == null) return "<p>This broker keeps no shared state (capability STATE), so it runs no schedules.</p>";
        if (all.isEmpty()) return "<p id=\"no-schedules\">No schedules (none has run in a worker yet).</p>";
        StringBuilder h = new StringBuilder("<table id=\"schedules\"><thead><tr><th>Name</th><th>Cron</th><th>Zone</th>"
                + "<th>Task</th><th>State</th><th>Last fire</th><th>Next fire</th><th class=\"num\">Fired</th>"
                + "<th class=\"num\">Skipped</th><th></th></tr></thead><tbody>");
        all.forEach((name, s) -> {
            Instant next = s.nextInstant();
            String state = s.paused() ? "paused" : next != null && next.plus(ORPHANED_AFTER).isBefore(now) ? "no scheduler" : "active";
            h.append("<tr data-schedule=\"").append(Html.esc(name)).append("\"><td>").append(Html.esc(name)).append("</td><td class=\"mono\">")
                    .append(Html.esc(s.cron())).append("</td><td>").append(Html.esc(s.zone())).append("</td><td>")
                    .append(Html.esc(s.task())).append("</td><td><span class=\"badge ").append(state.replace(' ', '-')).append("\">")
                    .append(state).append("</span></td><td>")
                    .append(s.lastFire() == null ? "-" : Fmt.time(Instant.ofEpochMilli(s.lastFire()))).append("</td><td>")
                    .append(s.paused() || next == null ? "-" : Fmt.time(next) + " (" + Fmt.relative(next, now) + ")")
                    .append("</td><td class=\"num\">").append(s.fired()).append("</td><td class=\"num\">").append(s.skipped())
                    .append("</td><td>");
            if (operator && csrf != null) {
                String base = "/api/schedules/" + Html.url(name);
                h.append(s.paused() ? Forms.button(base + "/resume", "Resume", "/schedules", csrf, null)
                        : Forms.button(base + "/pause", "Pause", "/schedules", csrf, "Pause schedule " + name + "? Ticks missed while paused are not run."));
            }
            h.append("</td></tr>");
        });
        return h.append("</tbody></table>").toString();
    }
}
