package dev.conveyor.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.admin.JobFilter;
import dev.conveyor.admin.JobSearch;
import dev.conveyor.broker.QueueStats;
import dev.conveyor.job.JobState;
import dev.conveyor.schedule.Scheduler;
import dev.conveyor.web.auth.Principal;
import dev.conveyor.worker.PausedQueues;
import dev.conveyor.worker.WorkerRecord;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The REST API under {@code /api} ({@code docs/openapi.yaml}). GETs read; POSTs act through {@link Actions}. A
 * POST from one of the pages' forms is answered with a redirect back to the page and a notice; any other with
 * JSON {@code {"message": ..., "count": n}}.
 */
final class ApiRoutes {
    private final Backend backend;
    private final Actions actions;
    private final AuditLog audit;
    private final Throughput throughput;
    private final ObjectMapper mapper;
    private final Notices notices;

    ApiRoutes(Backend backend, Actions actions, AuditLog audit, Throughput throughput, ObjectMapper mapper, Notices notices) {
        this.backend = backend;
        this.actions = actions;
        this.audit = audit;
        this.throughput = throughput;
        this.mapper = mapper;
        this.notices = notices;
    }

    void register(RoutesConfig r) {
        r.get("/api/overview", ctx -> json(ctx, overview()));
        r.get("/api/stats", ctx -> json(ctx, stats()));
        r.get("/api/jobs", this::jobs);
        r.get("/api/jobs/{id}", ctx -> json(ctx, JsonViews.full(backend.store().get(ctx.pathParam("id"))
                .orElseThrow(() -> HttpProblem.notFound("no job " + ctx.pathParam("id"))))));
        r.get("/api/schedules", ctx -> json(ctx, Scheduler.list(backend.requireState("schedules"))));
        r.get("/api/workers", ctx -> json(ctx, workers()));
        r.get("/api/audit", ctx -> json(ctx, Map.of("entries", audit.recent())));
        r.post("/api/jobs/{id}/redrive", ctx -> act(ctx, "job.redrive", c -> actions.redriveJob(who(c), c.ip(), c.pathParam("id"))));
        r.post("/api/jobs/{id}/cancel", ctx -> act(ctx, "job.cancel", c -> actions.cancelJob(who(c), c.ip(), c.pathParam("id"))));
        r.post("/api/jobs/{id}/delete", ctx -> act(ctx, "job.delete", c -> actions.deleteJob(who(c), c.ip(), c.pathParam("id"))));
        r.post("/api/dead/redrive", ctx -> act(ctx, "dead.redrive", c -> actions.redriveDead(who(c), c.ip(),
                Filters.from(c, mapper, JobState.DEAD), Req.flag(Req.param(c, "dryRun", mapper)))));
        r.post("/api/dead/purge", ctx -> act(ctx, "dead.purge", c -> actions.purgeDead(who(c), c.ip(), Req.param(c, "queue", mapper))));
        r.post("/api/queues/{queue}/pause", ctx -> act(ctx, "queue.pause", c -> actions.pauseQueue(who(c), c.ip(), c.pathParam("queue"), true)));
        r.post("/api/queues/{queue}/resume", ctx -> act(ctx, "queue.resume", c -> actions.pauseQueue(who(c), c.ip(), c.pathParam("queue"), false)));
        r.post("/api/schedules/{name}/pause", ctx -> act(ctx, "schedule.pause", c -> actions.pauseSchedule(who(c), c.ip(), c.pathParam("name"), true)));
        r.post("/api/schedules/{name}/resume", ctx -> act(ctx, "schedule.resume", c -> actions.pauseSchedule(who(c), c.ip(), c.pathParam("name"), false)));
    }

    private void jobs(Context ctx) {
        JobFilter filter = Filters.from(ctx, mapper, null);
        int size = Req.size(ctx);
        JobSearch.Result page = JobSearch.page(backend.store(), filter, ctx.queryParam("cursor"), size);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("size", size);
        m.put("items", page.items().stream().map(JsonViews::summary).toList());
        m.put("nextCursor", page.nextCursor());
        m.put("scanned", page.scanned());
        m.put("partial", page.partial());
        json(ctx, m);
    }

    Map<String, Object> overview() {
        Throughput.Sample s = throughput.sample();
        Set<String> paused = backend.state() == null ? Set.of() : PausedQueues.read(backend.state());
        Instant now = backend.clock().instant();
        List<Map<String, Object>> queues = new ArrayList<>();
        for (QueueStats q : s.queues()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("queue", q.queue());
            m.put("counts", q.counts());
            m.put("oldestReadySince", q.oldestReadySince());
            m.put("oldestReadyAgeSeconds", q.oldestReadySince() == null ? null
                    : Math.max(0, now.getEpochSecond() - q.oldestReadySince().getEpochSecond()));
            m.put("ratePerSecond", throughput.rate(q.queue()));
            m.put("paused", paused.contains(q.queue()));
            queues.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("now", now);
        out.put("queues", queues);
        return out;
    }

    private Map<String, Object> stats() {
        Map<String, Object> out = overview();
        out.put("series", throughput.series());
        return out;
    }

    private Map<String, Object> workers() {
        Instant now = backend.clock().instant();
        List<Map<String, Object>> out = new ArrayList<>();
        for (WorkerRecord w : WorkerRecord.list(backend.requireState("the worker registry"))) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", w.name());
            m.put("host", w.host());
            m.put("pid", w.pid());
            m.put("queues", w.queues());
            m.put("concurrency", w.concurrency());
            m.put("inFlight", w.inFlight());
            m.put("held", w.held());
            m.put("startedAt", Instant.ofEpochMilli(w.startedAt()));
            m.put("heartbeatAt", Instant.ofEpochMilli(w.heartbeatAt()));
            m.put("lost", w.lost(now));
            out.add(m);
        }
        return Map.of("workers", out);
    }

    private void act(Context ctx, String action, Function<Context, Actions.Done> f) {
        Actions.Done done;
        try {
            done = f.apply(ctx);
        } catch (RuntimeException e) {
            audit.record(who(ctx), ctx.ip(), action, ctx.path(), "failed: " + e.getMessage());
            throw e;
        }
        if (Req.isForm(ctx)) {
            notices.put(ctx, done.message());
            ctx.redirect(Req.back(ctx, "/"), io.javalin.http.HttpStatus.SEE_OTHER);
        } else {
            json(ctx, Map.of("message", done.message(), "count", done.count()));
        }
    }

    private static Principal who(Context ctx) {
        return Req.principal(ctx);
    }

    void json(Context ctx, Object value) {
        try {
            ctx.contentType("application/json").result(mapper.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
