package dev.conveyor.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.JobContext;
import dev.conveyor.RetryLaterException;
import dev.conveyor.Task;
import dev.conveyor.TaskOptions;
import dev.conveyor.broker.Completion;
import dev.conveyor.broker.Failure;
import dev.conveyor.broker.Lease;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import dev.conveyor.middleware.Middleware;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one leased job on the calling thread and says how it ended. In order:
 * <ol>
 *   <li>refuse without running: unknown task, too old for its age limit, args that do not decode;</li>
 *   <li>run the handler inside the middleware chain, with a watchdog that interrupts it at its timeout
 *       (an async handler's stage is awaited and cancelled at the timeout instead);</li>
 *   <li>turn the outcome into a {@link Settlement}: ack with the result; retry at the policy's (or the
 *       handler's) delay; bury when fatal or out of attempts; release when shutdown interrupted it.</li>
 * </ol>
 * A handler that ignores the interrupt keeps its thread, its slot and its lease until it really returns
 * (flagged stuck after {@code stuckAfter}): the job is never run twice at once on purpose.
 */
public final class JobExecutor {
    private static final Logger log = LoggerFactory.getLogger(JobExecutor.class);

    private final Map<String, Task<?, ?>> tasks;
    private final List<Middleware> middleware;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final RandomGenerator random;
    private final ScheduledExecutorService watchdog;
    private final Duration stuckAfter;
    private final dev.conveyor.limit.Limiter limiter;
    private final dev.conveyor.workflow.WorkflowSettler workflows;
    private final dev.conveyor.events.JobListener listener;
    /** The checks a job passes before its handler runs. */
    private final JobAdmission admission;
    private volatile java.util.function.Consumer<Lease> startMarker;

    public JobExecutor(Map<String, Task<?, ?>> tasks, List<Middleware> middleware, ObjectMapper mapper, Clock clock,
                       RandomGenerator random, ScheduledExecutorService watchdog, Duration stuckAfter) {
        this(tasks, middleware, mapper, clock, random, watchdog, stuckAfter, null);
    }

    /** @param limiter enforces tasks' rate and concurrency limits; null when no task has one */
    public JobExecutor(Map<String, Task<?, ?>> tasks, List<Middleware> middleware, ObjectMapper mapper, Clock clock,
                       RandomGenerator random, ScheduledExecutorService watchdog, Duration stuckAfter,
                       dev.conveyor.limit.Limiter limiter) {
        this(tasks, middleware, mapper, clock, random, watchdog, stuckAfter, limiter, null);
    }

    /** @param workflows moves workflows on after their jobs ran; null when the broker has no shared state */
    public JobExecutor(Map<String, Task<?, ?>> tasks, List<Middleware> middleware, ObjectMapper mapper, Clock clock,
                       RandomGenerator random, ScheduledExecutorService watchdog, Duration stuckAfter,
                       dev.conveyor.limit.Limiter limiter, dev.conveyor.workflow.WorkflowSettler workflows) {
        this(tasks, middleware, mapper, clock, random, watchdog, stuckAfter, limiter, workflows,
                dev.conveyor.events.JobListener.NONE);
    }

    /** @param listener hears each handler start (metrics); {@link dev.conveyor.events.JobListener#NONE} for none */
    public JobExecutor(Map<String, Task<?, ?>> tasks, List<Middleware> middleware, ObjectMapper mapper, Clock clock,
                       RandomGenerator random, ScheduledExecutorService watchdog, Duration stuckAfter,
                       dev.conveyor.limit.Limiter limiter, dev.conveyor.workflow.WorkflowSettler workflows,
                       dev.conveyor.events.JobListener listener) {
        this.listener = java.util.Objects.requireNonNull(listener, "listener");
        this.limiter = limiter;
        this.workflows = workflows;
        for (Task<?, ?> t : tasks.values()) {
            if (t.hasLimits() && limiter == null) {
                throw new IllegalStateException("task '" + t.name() + "' has a rate or concurrency limit, which needs a "
                        + "broker with shared state (capability STATE): SQLite, PostgreSQL, MariaDB or memory");
            }
        }
        this.tasks = Map.copyOf(tasks);
        this.admission = new JobAdmission(this.tasks, mapper);
        this.middleware = List.copyOf(middleware);
        this.mapper = mapper;
        this.clock = clock;
        this.random = random;
        this.watchdog = watchdog;
        this.stuckAfter = stuckAfter;
    }

    /** Opens encrypted args ({@link Task#encryptArgs()}) with this cipher; null (the default) opens none. */
    public JobExecutor argsCipher(dev.conveyor.crypto.ArgsCipher cipher) {
        admission.argsCipher(cipher);
        return this;
    }

    /**
     * Called on the job's thread just before the handler of a redelivered job starts (one that lost a lease
     * before); the worker marks it started at the broker there. Null (the default) marks nothing.
     */
    public JobExecutor startMarker(java.util.function.Consumer<Lease> marker) {
        this.startMarker = marker;
        return this;
    }

    /** The task registered for a name, or null. */
    public Task<?, ?> task(String name) {
        return tasks.get(name);
    }

    /**
     * Runs the job and says how it ended; for a job of a workflow, the workflow has moved on (its continuation
     * is enqueued) by the time this returns, before the outcome is recorded.
     */
    public Settlement execute(RunningJob running) {
        Settlement s = executeHandler(running);
        return workflows == null ? s : workflows.settle(running, s, running.replacement());
    }

    private Settlement executeHandler(RunningJob running) {
        JobAdmission.Verdict verdict = admission.admit(running, clock.instant());
        if (verdict instanceof JobAdmission.Refused refused) return refused.settlement();
        JobAdmission.Admitted admitted = (JobAdmission.Admitted) verdict;
        Task<?, ?> task = admitted.task();
        Object args = admitted.args();
        Job job = running.leased().job();
        Lease lease = running.leased().lease();
        Instant now = clock.instant();
        if (limiter == null || !task.hasLimits()) return run(running, task, args);
        dev.conveyor.limit.Limiter.Decision d;
        try {
            d = limiter.acquire(task.name(), task.concurrencyLimits(), task.rateLimits(), args, holder(lease));
        } catch (RuntimeException e) {
            log.warn("job {} ({}): its limits could not be checked ({}); postponing it a few seconds", job.id(),
                    job.task(), e.toString());
            return new Settlement.Retry(Failure.postpone(lease, now.plusSeconds(5)));
        }
        if (!d.allowed()) {
            log.debug("job {} ({}) postponed to {}: {}", job.id(), job.task(), d.postponeUntil(), d.reason());
            return new Settlement.Retry(Failure.postpone(lease, d.postponeUntil()));
        }
        try {
            return run(running, task, args);
        } finally {
            limiter.release(holder(lease), d.slots());
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Settlement run(RunningJob running, Task task, Object args) {
        Job job = running.leased().job();
        Duration timeout = job.timeout();
        Instant deadline = timeout == null ? null : clock.instant().plus(timeout);
        running.thread(Thread.currentThread());
        running.deadline(deadline, timeout == null ? 0 : System.nanoTime() + timeout.toNanos());
        Context ctx = new Context(job, deadline, clock, running);
        Middleware.Invocation invocation = () -> task.invoke(args, ctx);
        for (int i = middleware.size() - 1; i >= 0; i--) {
            Middleware m = middleware.get(i);
            Middleware.Invocation next = invocation;
            invocation = () -> m.around(ctx, next);
        }
        if (job.deliveries() - job.attempt() > 1 && startMarker != null) {
            // Redelivered: tell the broker its handler starts now, so a death from here on counts toward quarantine
            // and one before it (still waiting in a cold or starved JVM) does not (Broker#markStarted).
            startMarker.accept(running.leased().lease());
        }
        Instant startedAt = clock.instant();
        // Waiting counts from runAt, not enqueuedAt: a delay or a retry's backoff is intended, not a backlog.
        listener.started(job, job.runAt().isBefore(startedAt) ? Duration.between(job.runAt(), startedAt) : Duration.ZERO);
        long startNanos = System.nanoTime();
        ScheduledFuture<?> timer = null;
        if (timeout != null && !task.isAsync()) {
            timer = watchdog.schedule(() -> onTimeout(running), timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        Object result;
        Throwable error = null;
        try {
            result = invocation.proceed();
            if (task.isAsync()) result = awaitStage(running, result, timeout);
        } catch (Throwable t) {
            result = null;
            error = unwrap(t);
        } finally {
            running.ranFor(System.nanoTime() - startNanos);
            if (timer != null) timer.cancel(false);
            running.thread(null);
            Thread.interrupted(); // a late timeout interrupt must not leak into the next job on this thread
        }
        if (error instanceof Error e && !(e instanceof StackOverflowError) && !(e instanceof AssertionError)) {
            log.error("job {} ({}) threw {}; treating it as a failed attempt", job.id(), job.task(), e.toString());
        }
        if (error == null && running.isCancelRequested()) {
            // The worker learned of a cancel while the handler ran: a handler that polled ctx.isCancelRequested() (or
            // swallowed the interrupt) and returned stopped early, so the run ends CANCELLED, as an interrupted one
            // does. A handler that returned before the heartbeat learned of the cancel stays SUCCEEDED.
            return cancelled(running.leased().lease(), job, clock.instant());
        }
        if (error == null && running.timedOut()) {
            // Past its time limit the run counts as failed even if the handler returned normally afterwards:
            // what it did after the interrupt is not trusted.
            error = new TimeoutException("timed out after " + timeout + " (returned after its timeout interrupt)");
        }
        if (error == null) {
            try {
                String json = task.resultType() == Void.class || result == null ? null : mapper.writeValueAsString(result);
                return new Settlement.Ack(new Completion(running.leased().lease(), json));
            } catch (Exception e) {
                error = new IllegalStateException("result of task '" + job.task() + "' cannot be written as JSON: "
                        + oneLine(e.getMessage()), e);
            }
        }
        return failed(running, task.options(), error);
    }

    private Object awaitStage(RunningJob running, Object stage, Duration timeout) throws Throwable {
        if (!(stage instanceof CompletionStage<?> cs)) {
            throw new IllegalStateException("async handler returned " + (stage == null ? "null" : stage.getClass().getName())
                    + " instead of a CompletionStage");
        }
        CompletableFuture<?> f = cs.toCompletableFuture();
        try {
            return timeout == null ? f.get() : f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            running.markTimedOut();
            f.cancel(true);
            throw new TimeoutException("timed out after " + timeout);
        } catch (ExecutionException e) {
            throw e.getCause();
        } catch (InterruptedException e) {
            // Shutdown: stop the stage (as far as it honours cancellation) before the job is handed back.
            f.cancel(true);
            throw e;
        }
    }

    private void onTimeout(RunningJob running) {
        if (running.thread() == null) return;
        running.markTimedOut();
        log.warn("job {} ({}) passed its timeout of {}; interrupting it", running.jobId(),
                running.leased().job().task(), running.leased().job().timeout());
        running.interruptHandler();
        watchdog.schedule(() -> {
            if (running.thread() != null) {
                running.markStuck();
                log.error("job {} ({}) is stuck: still running {} after its timeout interrupt. It keeps its slot and "
                                + "lease until it returns, so it never runs twice at once; fix the handler to honour "
                                + "interrupts (blocking I/O with timeouts, checks of Thread.interrupted()).",
                        running.jobId(), running.leased().job().task(), stuckAfter);
            }
        }, stuckAfter.toNanos(), TimeUnit.NANOSECONDS);
    }

    private Settlement failed(RunningJob running, TaskOptions<?> options, Throwable error) {
        Job job = running.leased().job();
        Lease lease = running.leased().lease();
        Instant now = clock.instant();
        int failures = job.attempt() + 1;
        if (running.isCancelRequested()) return cancelled(lease, job, now);
        if (running.releaseRequested()) {
            // Shutdown interrupted it: hand it back without using an attempt.
            return new Settlement.Release(lease);
        }
        AttemptError err;
        if (running.timedOut()) {
            err = timeoutError(failures, now, job.timeout(), error);
        } else {
            err = AttemptError.of(failures, now, error);
        }
        // A timeout is a failed attempt whatever the handler threw when interrupted: retryOn/fatalOn judge the
        // handler's own errors, not our interrupt.
        if (!running.timedOut() && options.isFatal(error)) {
            return bury(lease, err, true);
        }
        if (failures >= job.maxAttempts()) {
            return bury(lease, new AttemptError(err.attempt(), err.at(), err.type(),
                    "gave up after " + failures + " attempt" + (failures == 1 ? "" : "s") + ": " + err.message(),
                    err.stackTrace()), true);
        }
        Duration delay = error instanceof RetryLaterException r ? r.delay() : options.retry().delay(failures, random);
        return new Settlement.Retry(Failure.retryAt(lease, err, now.plus(delay)));
    }

    private static AttemptError timeoutError(int attempt, Instant now, Duration timeout, Throwable cause) {
        AttemptError base = AttemptError.of(attempt, now, cause);
        return new AttemptError(attempt, now, "timeout", "timed out after " + timeout, base.stackTrace());
    }

    /** Who holds a run's limit slots: its lease, so a redelivered run of the same job counts separately. */
    private static String holder(Lease lease) {
        return lease.jobId() + ":" + lease.token();
    }

    /** A cancelled run: buried without using an attempt; the broker records it as CANCELLED. */
    /**
     * Leases of this job lost with their worker before this delivery: deliveries that ended neither in an attempt
     * (a failure, counted by {@code attempt}) nor in a hand-back (which gives its delivery back). Since the first,
     * a lost lease counts only if its handler had started ({@link dev.conveyor.broker.Broker#markStarted}).
     */
    public static int lostLeases(Job job) {
        return JobAdmission.lostLeases(job);
    }

    /** The dead reason of a job quarantined after {@code lost} lost leases. */
    public static String quarantineReason(int lost, Job job) {
        return JobAdmission.quarantineReason(lost, job);
    }

    private static Settlement cancelled(Lease lease, Job job, Instant now) {
        return JobAdmission.cancelled(lease, job, now);
    }

    private static Settlement bury(Lease lease, AttemptError error, boolean countsAttempt) {
        return new Settlement.Bury(Failure.bury(lease, error, countsAttempt));
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static String oneLine(String s) {
        if (s == null) return "";
        String line = s.replace('\r', ' ').replace('\n', ' ');
        return line.length() > 500 ? line.substring(0, 500) + "…" : line;
    }

    private record Context(Job job, Instant deadline, Clock clock, RunningJob running) implements JobContext {
        @Override
        public void progress(int percent, String message) {
            running.progress(new dev.conveyor.job.Progress(percent, message, clock.instant()));
        }

        @Override
        public boolean isCancelRequested() {
            return running.isCancelRequested();
        }

        @Override
        public void replaceWith(dev.conveyor.workflow.Flow flow) {
            running.replaceWith(flow);
        }
    }
}
