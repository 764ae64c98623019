package dev.conveyor.web;

import dev.conveyor.admin.DeadLetters;
import dev.conveyor.admin.JobFilter;
import dev.conveyor.broker.CancelResult;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.schedule.Scheduler;
import dev.conveyor.web.auth.Principal;
import dev.conveyor.worker.PausedQueues;
import java.util.List;

/**
 * What an operator can change, each written to the audit log with its result. The pages' forms and the REST
 * API both call these, so a button and a script do exactly the same thing. The logic of bulk re-drive lives in
 * core ({@link DeadLetters}), shared with {@code conveyor dlq redrive --all}.
 */
final class Actions {
    /** What an action did: a sentence for people and a count for scripts. */
    record Done(String message, long count) {}

    private final Backend backend;
    private final AuditLog audit;

    Actions(Backend backend, AuditLog audit) {
        this.backend = backend;
        this.audit = audit;
    }

    Done redriveJob(Principal who, String ip, String id) {
        JobInfo info = existing(id);
        if (info.state() != JobState.DEAD && info.state() != JobState.CANCELLED) {
            throw new HttpProblem(409, "job is " + info.state() + "; only dead or cancelled jobs can be re-driven");
        }
        int n = backend.store().redrive(List.of(id));
        return log(who, ip, "job.redrive", id, new Done(n == 1 ? "Re-drove job " + id + "." : "Job " + id + " was not re-driven.", n));
    }

    Done cancelJob(Principal who, String ip, String id) {
        existing(id);
        CancelResult r = backend.store().cancel(List.of(id)).getFirst();
        String msg = switch (r) {
            case CANCELLED -> "Cancelled job " + id + ".";
            case REQUESTED -> "Cancel requested: job " + id + " stops at its worker's next heartbeat.";
            case FINISHED -> "Job " + id + " had already finished.";
            case NOT_FOUND -> "No job " + id + ".";
        };
        return log(who, ip, "job.cancel", id, new Done(msg, r == CancelResult.CANCELLED || r == CancelResult.REQUESTED ? 1 : 0));
    }

    Done deleteJob(Principal who, String ip, String id) {
        JobInfo info = existing(id);
        if (info.state() == JobState.RUNNING) throw new HttpProblem(409, "job is running; cancel it first");
        int n = backend.store().delete(List.of(id));
        return log(who, ip, "job.delete", id, new Done(n == 1 ? "Deleted job " + id + "." : "Job " + id + " was not deleted.", n));
    }

    Done redriveDead(Principal who, String ip, JobFilter filter, boolean dryRun) {
        DeadLetters.Outcome o = DeadLetters.redrive(backend.store(), filter, dryRun);
        String where = describe(filter);
        Done done = new Done(dryRun ? o.count() + " dead job(s)" + where + " would be re-driven (dry run)."
                : "Re-drove " + o.count() + " dead job(s)" + where + ".", o.count());
        return dryRun ? done : log(who, ip, "dead.redrive", where.isEmpty() ? "all" : where.trim(), done);
    }

    Done purgeDead(Principal who, String ip, String queue) {
        if (queue != null) dev.conveyor.job.Job.requireQueueName(queue);
        long n = backend.store().purge(JobState.DEAD, queue);
        return log(who, ip, "dead.purge", queue == null ? "all queues" : "queue " + queue,
                new Done("Purged " + n + " dead job(s)" + (queue == null ? "" : " of queue '" + queue + "'") + ".", n));
    }

    Done pauseQueue(Principal who, String ip, String queue, boolean pause) {
        boolean changed = PausedQueues.set(backend.requireState("pausing queues"), queue, pause, backend.clock().instant());
        String msg = "Queue '" + queue + "' " + (changed ? (pause ? "paused" : "resumed") : "was already " + (pause ? "paused" : "running")) + ".";
        return log(who, ip, pause ? "queue.pause" : "queue.resume", queue, new Done(msg, changed ? 1 : 0));
    }

    Done pauseSchedule(Principal who, String ip, String name, boolean pause) {
        if (!Scheduler.setPaused(backend.requireState("schedules"), name, pause, backend.clock().instant())) {
            throw HttpProblem.notFound("no schedule named '" + name + "'");
        }
        return log(who, ip, pause ? "schedule.pause" : "schedule.resume", name,
                new Done("Schedule '" + name + "' " + (pause ? "paused" : "resumed") + ".", 1));
    }

    private JobInfo existing(String id) {
        return backend.store().get(id).orElseThrow(() -> HttpProblem.notFound("no job " + id));
    }

    private Done log(Principal who, String ip, String action, String target, Done done) {
        audit.record(who, ip, action, target, done.message());
        return done;
    }

    static String describe(JobFilter f) {
        StringBuilder s = new StringBuilder();
        if (f.queue() != null) s.append(" of queue '").append(f.queue()).append('\'');
        if (f.task() != null) s.append(" of task '").append(f.task()).append('\'');
        if (f.args() != null) s.append(" with args containing '").append(f.args()).append('\'');
        if (f.error() != null) s.append(" with an error containing '").append(f.error()).append('\'');
        return s.toString();
    }
}
