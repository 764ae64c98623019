package dev.conveyor.web;

import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.SensitiveFields;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Jobs as the API returns them: plain maps, every args and result value passed through {@link SensitiveFields}
 * first (the API masks exactly what the pages mask).
 */
final class JsonViews {
    /** The workflow headers (see {@code WorkflowLink}): shown as links, not as raw headers. */
    static final String WORKFLOW_HEADER = "conveyor-workflow";
    static final String NODE_HEADER = "conveyor-workflow-node";

    private JsonViews() {}

    /** The short form in listings. */
    static Map<String, Object> summary(JobInfo info) {
        Job j = info.job();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", j.id());
        m.put("task", j.task());
        m.put("queue", j.queue());
        m.put("state", info.state().name());
        m.put("priority", j.priority());
        m.put("attempt", j.attempt());
        m.put("maxAttempts", j.maxAttempts());
        m.put("enqueuedAt", j.enqueuedAt());
        m.put("runAt", j.runAt());
        m.put("updatedAt", info.updatedAt());
        m.put("finishedAt", info.finishedAt());
        m.put("deadReason", info.deadReason());
        AttemptError last = info.lastError();
        m.put("lastError", last == null ? null : last.type() + ": " + last.message());
        return m;
    }

    /** Everything about one job. */
    static Map<String, Object> full(JobInfo info) {
        Job j = info.job();
        Set<String> sensitive = SensitiveFields.of(j);
        Map<String, Object> m = summary(info);
        m.put("args", SensitiveFields.mask(j.args(), sensitive));
        m.put("result", SensitiveFields.mask(info.result(), sensitive));
        m.put("sensitiveFields", sensitive);
        m.put("headers", j.headers());
        m.put("deliveries", j.deliveries());
        m.put("maxDeliveries", j.maxDeliveries());
        m.put("uniqueKey", j.uniqueKey());
        m.put("leaseUntil", info.leaseUntil());
        m.put("cancelRequested", info.cancelRequested());
        m.put("progress", info.progress());
        Map<String, Object> wf = new LinkedHashMap<>();
        wf.put("workflow", j.headers().get(WORKFLOW_HEADER));
        wf.put("node", j.headers().get(NODE_HEADER));
        wf.put("parentId", j.parentId());
        wf.put("groupId", j.groupId());
        m.put("workflow", wf);
        List<Map<String, Object>> errors = new ArrayList<>();
        for (AttemptError e : info.errors()) {
            Map<String, Object> em = new LinkedHashMap<>();
            em.put("attempt", e.attempt());
            em.put("at", e.at());
            em.put("type", e.type());
            em.put("message", e.message());
            em.put("stackTrace", e.stackTrace());
            errors.add(em);
        }
        m.put("errors", errors);
        m.put("timeline", dev.conveyor.web.view.Timeline.of(info));
        return m;
    }

}
