package dev.conveyor.web.view;

import dev.conveyor.workflow.WorkflowGraph;
import java.util.List;

/**
 * A job's workflow on its page: the tree of steps, chains and groups with each node's state, every node with a
 * job linking to that job's page (the current one marked). Large groups are abridged as in {@code conveyor jobs show}.
 */
public final class WorkflowView {
    private static final int SHOW_ALL_UP_TO = 20;

    private WorkflowView() {}

    public static String render(WorkflowGraph g, String currentJobId) {
        StringBuilder h = new StringBuilder("<section id=\"workflow\"><h2>Workflow</h2><p><span class=\"mono\">")
                .append(Html.esc(g.id())).append("</span> — ").append(g.state() == null ? "record expired" : Html.esc(g.state()))
                .append("</p>");
        if (g.failure() != null) h.append("<p class=\"error-text\">failed at ").append(Html.esc(g.failure())).append("</p>");
        if (g.root() != null) {
            h.append("<ul class=\"workflow\">");
            node(g.root(), currentJobId, h);
            h.append("</ul>");
        } else {
            h.append("<ul class=\"workflow\">");
            g.jobs().forEach((path, info) -> h.append("<li>").append(Html.esc(path)).append(' ')
                    .append(link(info.id(), info.job().task() + " · " + info.state().name().toLowerCase(), currentJobId)).append("</li>"));
            h.append("</ul>");
        }
        return h.append("</section>").toString();
    }

    private static void node(WorkflowGraph.Node n, String current, StringBuilder h) {
        h.append("<li><span class=\"muted\">").append(Html.esc(n.path())).append(' ').append(Html.esc(n.kind())).append("</span> ");
        String label = (n.task() == null ? "" : n.task() + " · ") + n.state();
        h.append(n.jobId() == null ? Html.esc(label) : link(n.jobId(), label, current));
        List<WorkflowGraph.Node> kids = n.children();
        if (!kids.isEmpty()) {
            h.append("<ul>");
            for (int i = 0; i < kids.size(); i++) {
                if (kids.size() > SHOW_ALL_UP_TO && i >= 10 && i < kids.size() - 5) {
                    if (i == 10) h.append("<li class=\"muted\">… ").append(kids.size() - 15).append(" more</li>");
                    continue;
                }
                node(kids.get(i), current, h);
            }
            h.append("</ul>");
        }
        h.append("</li>");
    }

    private static String link(String jobId, String label, String current) {
        if (jobId.equals(current)) return "<b>" + Html.esc(label) + "</b> (this job)";
        return "<a class=\"workflow-job\" href=\"/jobs/" + Html.url(jobId) + "\">" + Html.esc(label) + "</a>";
    }
}
