package dev.conveyor.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.Task;
import dev.conveyor.broker.Failure;
import dev.conveyor.broker.Lease;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import java.time.Instant;
import java.util.Map;

/**
 * What a leased job must pass before its handler runs, in this order: no cancel or hand-back asked for, not a
 * crash-looper, a task this worker knows, not past its age limit, args it can open and decode. A job that fails
 * a check is settled without running ({@link Refused}); one that passes comes with its task and decoded args
 * ({@link Admitted}). Kept apart from {@link JobExecutor}, which runs what is admitted.
 */
final class JobAdmission {
    /** The outcome of {@link #admit}. */
    sealed interface Verdict permits Admitted, Refused {}

    /** The handler may run: its task, and the args decoded into the task's type. */
    record Admitted(Task<?, ?> task, Object args) implements Verdict {}

    /** The job ends (or goes back) without running. */
    record Refused(Settlement settlement) implements Verdict {}

    private final Map<String, Task<?, ?>> tasks;
    private final ObjectMapper mapper;
    /** Opens sealed args ({@link Task#encryptArgs()}); null opens none. */
    private volatile dev.conveyor.crypto.ArgsCipher argsCipher;

    JobAdmission(Map<String, Task<?, ?>> tasks, ObjectMapper mapper) {
        this.tasks = tasks;
        this.mapper = mapper;
    }

    void argsCipher(dev.conveyor.crypto.ArgsCipher cipher) {
        this.argsCipher = cipher;
    }

    Verdict admit(RunningJob running, Instant now) {
        Job job = running.leased().job();
        Lease lease = running.leased().lease();
        if (running.isCancelRequested()) return new Refused(cancelled(lease, job, now));
        if (running.releaseRequested()) {
            // Shutdown reached this job before its handler started (it waited for a pool thread): hand it back.
            return new Refused(new Settlement.Release(lease));
        }
        int lost = lostLeases(job);
        if (lost >= job.maxDeliveries()) {
            // Crash-loop quarantine is decided here, not by the broker's reclaim: the job comes back once more and
            // is buried unrun, so listeners, metrics and its workflow hear of it like any other dead job.
            return refuse(lease, job, now, "quarantined", quarantineReason(lost, job));
        }
        Task<?, ?> task = tasks.get(job.task());
        if (task == null) return refuse(lease, job, now, "unknown-task", "unknown task '" + job.task() + "'");
        // The age limit is about waiting to start: only the first delivery is checked, not retries.
        if (job.expiresAt() != null && job.attempt() == 0 && job.deliveries() <= 1 && now.isAfter(job.expiresAt())) {
            return refuse(lease, job, now, "expired", "expired: not started before its age limit ran out at "
                    + job.expiresAt() + " (enqueued at " + job.enqueuedAt() + ")");
        }
        String argsJson;
        try {
            argsJson = dev.conveyor.crypto.ArgsCipher.open(argsCipher, job.task(), job.args());
        } catch (dev.conveyor.crypto.ArgsCipherException e) {
            // Dead, not retried: no other worker of this deployment has the key either. Re-drive once it has.
            return refuse(lease, job, now, "undecryptable-args", e.getMessage());
        }
        try {
            return new Admitted(task, dev.conveyor.job.ArgsCodec.decode(mapper, job.task(), argsJson, task.argsType()));
        } catch (dev.conveyor.job.ArgsCodec.MalformedArgsException e) {
            return refuse(lease, job, now, "malformed-args", e.getMessage());
        }
    }

    /** Buried unrun, without using an attempt, with a reason of this kind. */
    private static Refused refuse(Lease lease, Job job, Instant now, String kind, String reason) {
        return new Refused(bury(lease, AttemptError.reason(job.attempt(), now, kind, reason)));
    }

    /**
     * Leases of this job lost with their worker before this delivery: deliveries that ended neither in an attempt
     * (a failure, counted by {@code attempt}) nor in a hand-back (which gives its delivery back). Since the first,
     * a lost lease counts only if its handler had started ({@link dev.conveyor.broker.Broker#markStarted}).
     */
    static int lostLeases(Job job) {
        return Math.max(0, job.deliveries() - job.attempt() - 1);
    }

    /** The dead reason of a job quarantined after {@code lost} lost leases. */
    static String quarantineReason(int lost, Job job) {
        return "quarantined: its worker died " + lost + " time" + (lost == 1 ? "" : "s")
                + " while running this job (maxDeliveries=" + job.maxDeliveries() + ")";
    }

    /** A cancelled run: buried without using an attempt; the broker records it as CANCELLED. */
    static Settlement cancelled(Lease lease, Job job, Instant now) {
        return bury(lease, AttemptError.reason(job.attempt(), now, "cancelled", "cancelled while running"));
    }

    private static Settlement bury(Lease lease, AttemptError error) {
        return new Settlement.Bury(Failure.bury(lease, error, false));
    }
}
