package dev.conveyor.web.view;

import dev.conveyor.worker.WorkerRecord;
import java.time.Instant;
import java.util.List;

/** Live workers from the registry: host, pid, queues, in-flight jobs, last heartbeat; lost ones marked. */
public final class WorkersView {
    private WorkersView() {}

    /** @param workers the registry, or null when the broker keeps no shared state */
    public static String render(List<WorkerRecord> workers, Instant now) {
        if (workers == null) return "<p>This broker keeps no shared state (capability STATE), so workers cannot register.</p>";
        if (workers.isEmpty()) return "<p id=\"no-workers\">No workers running.</p>";
        StringBuilder h = new StringBuilder("<table id=\"workers\"><thead><tr><th>Worker</th><th>Host</th><th class=\"num\">Pid</th>"
                + "<th>Queues</th><th class=\"num\">In flight</th><th class=\"num\">Concurrency</th><th>Started</th>"
                + "<th>Last heartbeat</th><th>Status</th></tr></thead><tbody>");
        for (WorkerRecord w : workers) {
            boolean lost = w.lost(now);
            h.append("<tr data-worker=\"").append(Html.esc(w.name())).append("\"><td class=\"mono\">").append(Html.esc(w.name()))
                    .append("</td><td>").append(Html.esc(w.host())).append("</td><td class=\"num\">").append(w.pid())
                    .append("</td><td>").append(Html.esc(String.join(", ", w.queues()))).append("</td><td class=\"num\">")
                    .append(w.inFlight()).append(w.held() > 0 ? " (" + w.held() + " held)" : "")
                    .append("</td><td class=\"num\">").append(w.concurrency()).append("</td><td>")
                    .append(Fmt.time(Instant.ofEpochMilli(w.startedAt()))).append("</td><td>")
                    .append(Fmt.age(w.heartbeatAge(now))).append(" ago</td><td><span class=\"badge ")
                    .append(lost ? "lost\">lost" : "alive\">alive").append("</span></td></tr>");
        }
        return h.append("</tbody></table><p class=\"muted\">A worker that missed ").append(WorkerRecord.LOST_AFTER_BEATS)
                .append(" heartbeats is lost (its process died without shutting down); it is dropped from the list after 10 minutes.</p>")
                .toString();
    }
}
