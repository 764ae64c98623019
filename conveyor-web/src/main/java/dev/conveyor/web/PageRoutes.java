package dev.conveyor.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.admin.JobFilter;
import dev.conveyor.admin.JobSearch;
import dev.conveyor.broker.QueueStats;
import dev.conveyor.job.JobState;
import dev.conveyor.schedule.Scheduler;
import dev.conveyor.web.auth.Principal;
import dev.conveyor.web.view.AuditView;
import dev.conveyor.web.view.DeadView;
import dev.conveyor.web.view.JobView;
import dev.conveyor.web.view.JobsView;
import dev.conveyor.web.view.OverviewView;
import dev.conveyor.web.view.Page;
import dev.conveyor.web.view.SchedulesView;
import dev.conveyor.web.view.WorkersView;
import dev.conveyor.web.view.WorkflowView;
import dev.conveyor.workflow.Workflows;
import dev.conveyor.worker.PausedQueues;
import dev.conveyor.worker.WorkerRecord;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The HTML pages: each reads through the SPI, renders with a view, and shows a pending notice. */
final class PageRoutes {
    private final Backend backend;
    private final Throughput throughput;
    private final AuditLog audit;
    private final ObjectMapper mapper;
    private final Notices notices;

    PageRoutes(Backend backend, Throughput throughput, AuditLog audit, ObjectMapper mapper, Notices notices) {
        this.backend = backend;
        this.throughput = throughput;
        this.audit = audit;
        this.mapper = mapper;
        this.notices = notices;
    }

    void register(RoutesConfig r) {
        r.get("/", this::overview);
        r.get("/jobs", ctx -> jobs(ctx, "/jobs", "Jobs", null));
        r.get("/dead", ctx -> jobs(ctx, "/dead", "Dead letters", JobState.DEAD));
        r.get("/jobs/{id}", this::job);
        r.get("/schedules", ctx -> page(ctx, "Schedules", "/schedules", SchedulesView.render(
                backend.state() == null ? null : Scheduler.list(backend.state()), backend.clock().instant(), operator(ctx), Req.csrf(ctx))));
        r.get("/workers", ctx -> page(ctx, "Workers", "/workers", WorkersView.render(
                backend.state() == null ? null : WorkerRecord.list(backend.state()), backend.clock().instant())));
        r.get("/audit", ctx -> page(ctx, "Audit log", "/audit", AuditView.render(audit.recent())));
    }

    private void overview(Context ctx) {
        Throughput.Sample s = throughput.sample();
        List<QueueStats> queues = s.queues().stream().sorted(Comparator.comparing(QueueStats::queue)).toList();
        Set<String> paused = backend.state() == null ? null : PausedQueues.read(backend.state());
        Map<String, Double> rates = new HashMap<>();
        for (QueueStats q : queues) rates.put(q.queue(), throughput.rate(q.queue()));
        page(ctx, "Overview", "/", OverviewView.render(queues, paused, rates, backend.clock().instant(), operator(ctx), Req.csrf(ctx)));
    }

    private void jobs(Context ctx, String path, String title, JobState forced) {
        JobFilter filter = Filters.from(ctx, mapper, forced);
        int size = Req.size(ctx);
        JobSearch.Result page = JobSearch.page(backend.store(), filter, ctx.queryParam("cursor"), size);
        String self = path + "?" + JobsView.query(filter, size, ctx.queryParam("cursor"));
        String csrf = Req.csrf(ctx);
        boolean act = operator(ctx) && csrf != null && forced == JobState.DEAD;
        String body = JobsView.render(path, filter, size, page, forced == null, act ? DeadView.bulk(filter, self, csrf) : "",
                act ? i -> DeadView.row(i, self, csrf) : null);
        page(ctx, title, path, body);
    }

    private void job(Context ctx) {
        String id = ctx.pathParam("id");
        var info = backend.store().get(id).orElseThrow(() -> HttpProblem.notFound("No job " + id + "."));
        String body = JobView.render(info, backend.clock().instant(), operator(ctx), Req.csrf(ctx));
        String workflow = info.job().headers().get(JsonViews.WORKFLOW_HEADER);
        if (workflow != null && backend.state() != null) body += workflow(workflow, id);
        page(ctx, "Job " + info.job().task(), "/jobs", body);
    }

    /** The job's workflow graph; a graph that cannot be read (pruned, malformed) leaves the page without it. */
    private String workflow(String workflowId, String jobId) {
        try {
            Workflows w = new Workflows(backend.broker(), backend.state(), backend.store(), Map.of(), mapper, backend.clock());
            return WorkflowView.render(w.graph(workflowId), jobId);
        } catch (RuntimeException e) {
            return "<p class=\"muted\">The workflow's graph is not available: " + dev.conveyor.web.view.Html.esc(e.getMessage()) + "</p>";
        }
    }

    private void page(Context ctx, String title, String active, String body) {
        ctx.html(Page.render(title, active, Req.principal(ctx), Req.csrf(ctx), notices.take(ctx), body));
    }

    private static boolean operator(Context ctx) {
        Principal p = Req.principal(ctx);
        return p != null && p.role().canOperate();
    }
}
