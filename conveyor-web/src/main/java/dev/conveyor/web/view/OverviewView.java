package dev.conveyor.web.view;

import dev.conveyor.broker.QueueStats;
import dev.conveyor.job.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The overview: one row per queue (depth by state, throughput, how long the oldest ready job has waited, paused
 * or not) and the live chart. The script refreshes the numbers and the chart from {@code /api/stats} every two
 * seconds; the cells carry {@code data-queue}/{@code data-field} so it knows what to update.
 */
public final class OverviewView {
    private static final JobState[] COLUMNS = {JobState.READY, JobState.SCHEDULED, JobState.RUNNING, JobState.SUCCEEDED,
        JobState.DEAD, JobState.CANCELLED};

    private OverviewView() {}

    /**
     * @param paused the paused queues, or null when the broker cannot pause
     * @param rates  finished jobs per second per queue over the last minute
     * @param csrf   the session's CSRF token, or null (then no buttons)
     */
    public static String render(List<QueueStats> queues, Set<String> paused, Map<String, Double> rates, Instant now,
                                boolean operator, String csrf) {
        StringBuilder h = new StringBuilder();
        h.append("<section class=\"chart\"><h2>Throughput</h2>")
                .append("<canvas id=\"throughput\" width=\"900\" height=\"200\" aria-label=\"finished jobs per second\"></canvas>")
                .append("<p class=\"legend\"><span class=\"key done\"></span> finished jobs/s ")
                .append("<span class=\"key ready\"></span> ready jobs <span id=\"chart-status\" class=\"muted\"></span></p></section>");
        h.append("<h2>Queues</h2>");
        if (queues.isEmpty()) {
            return h.append("<p id=\"no-queues\">No jobs yet.</p>").toString();
        }
        h.append("<table id=\"queues\"><thead><tr><th>Queue</th>");
        for (JobState s : COLUMNS) h.append("<th class=\"num\">").append(s.name().toLowerCase()).append("</th>");
        h.append("<th class=\"num\">rate</th><th class=\"num\">oldest ready</th><th></th></tr></thead><tbody>");
        for (QueueStats q : queues) {
            String name = Html.esc(q.queue());
            h.append("<tr data-queue=\"").append(name).append("\"><td><a href=\"/jobs?queue=").append(Html.url(q.queue()))
                    .append("\" class=\"queue-name\">").append(name).append("</a>");
            if (paused != null && paused.contains(q.queue())) h.append(" <span class=\"badge paused\">paused</span>");
            h.append("</td>");
            for (JobState s : COLUMNS) {
                h.append("<td class=\"num\" data-field=\"").append(s.name()).append("\"><a href=\"/jobs?queue=")
                        .append(Html.url(q.queue())).append("&amp;state=").append(s.name()).append("\">")
                        .append(q.count(s)).append("</a></td>");
            }
            h.append("<td class=\"num\" data-field=\"rate\">").append(Fmt.rate(rates.getOrDefault(q.queue(), 0.0))).append("</td>");
            h.append("<td class=\"num\" data-field=\"oldest\">").append(q.oldestReadySince() == null ? "-"
                    : Fmt.age(Duration.between(q.oldestReadySince(), now))).append("</td><td>");
            if (operator && csrf != null && paused != null) {
                boolean p = paused.contains(q.queue());
                h.append(Forms.button("/api/queues/" + Html.url(q.queue()) + (p ? "/resume" : "/pause"), p ? "Resume" : "Pause",
                        "/", csrf, p ? null : "Pause queue " + q.queue() + "? Workers stop fetching from it."));
            }
            h.append("</td></tr>");
        }
        return h.append("</tbody></table>").toString();
    }
}
