package dev.conveyor;

import dev.conveyor.job.Job;
import dev.conveyor.job.JobCodec;
import dev.conveyor.retry.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A task: the code that runs a job, its stable name on the wire, its args and result types, and the options
 * every job of it gets unless the enqueue overrides them. Immutable and thread-safe; define it once (a
 * {@code static final} field is typical) and use it both to enqueue and to register with a worker.
 *
 * <pre>{@code
 * record SendReport(long userId) {}
 *
 * static final Task<SendReport, Void> SEND_REPORT = Task.named("send_report", SendReport.class)
 *         .queue("emails")
 *         .maxAttempts(4)
 *         .retry(RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofMinutes(10)))
 *         .action(args -> reports.buildAndEmail(args.userId()));
 *
 * record Resize(String url, int width) {}
 * record Thumb(String url) {}
 *
 * static final Task<Resize, Thumb> RESIZE = Task.named("resize", Resize.class, Thumb.class)
 *         .timeout(Duration.ofMinutes(2))
 *         .platformThreads(2)                 // CPU-bound: at most 2 at once, on platform threads
 *         .handler(args -> thumbnailer.resize(args));
 * }</pre>
 *
 * @param <A> the args type, mapped to and from JSON (a record is ideal)
 * @param <R> the result type, stored as JSON ({@link Void} for none)
 */
public final class Task<A, R> {
    /** Defaults to 10 attempts. */
    public static final int DEFAULT_MAX_ATTEMPTS = JobCodec.DEFAULT_MAX_ATTEMPTS;
    /** Defaults to 3 lost leases before a job is quarantined as crash-looping. */
    public static final int DEFAULT_MAX_DELIVERIES = JobCodec.DEFAULT_MAX_DELIVERIES;
    /** Defaults to 10 minutes per run. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    /** A handler that returns a result. */
    @FunctionalInterface
    public interface Handler<A, R> {
        R handle(A args) throws Exception;
    }

    /** A handler that returns a result and reads its {@link JobContext}. */
    @FunctionalInterface
    public interface ContextHandler<A, R> {
        R handle(A args, JobContext context) throws Exception;
    }

    /** A handler with no result. */
    @FunctionalInterface
    public interface Action<A> {
        void run(A args) throws Exception;
    }

    /** A handler with no result that reads its {@link JobContext}. */
    @FunctionalInterface
    public interface ContextAction<A> {
        void run(A args, JobContext context) throws Exception;
    }

    /** A handler built on asynchronous clients: the job ends when the stage completes. */
    @FunctionalInterface
    public interface AsyncHandler<A, R> {
        CompletionStage<R> handle(A args, JobContext context) throws Exception;
    }

    private final String name;
    private final Class<A> argsType;
    private final Class<R> resultType;
    private final TaskOptions<A> options;
    private final ContextHandler<A, ?> invoker;
    private final boolean async;
    private final List<dev.conveyor.limit.RateLimit<A>> rateLimits;
    private final List<dev.conveyor.limit.ConcurrencyLimit<A>> concurrencyLimits;
    private final Function<? super A, String> fairKey;
    private final boolean encryptArgs;
    private final Duration keepResultFor;

    private Task(Builder<A, R> b, ContextHandler<A, ?> invoker, boolean async) {
        this.name = b.name;
        this.argsType = b.argsType;
        this.resultType = b.resultType;
        this.options = b.options;
        this.invoker = invoker;
        this.async = async;
        this.rateLimits = List.copyOf(b.rateLimits);
        this.concurrencyLimits = List.copyOf(b.concurrencyLimits);
        this.fairKey = b.fairKey;
        this.encryptArgs = b.encryptArgs;
        this.keepResultFor = b.keepResultFor;
    }

    /** Starts defining a task with no result. */
    public static <A> Builder<A, Void> named(String name, Class<A> argsType) {
        return new Builder<>(name, argsType, Void.class);
    }

    /** Starts defining a task whose result of type {@code resultType} is stored and can be awaited. */
    public static <A, R> Builder<A, R> named(String name, Class<A> argsType, Class<R> resultType) {
        return new Builder<>(name, argsType, resultType);
    }

    public String name() {
        return name;
    }

    public Class<A> argsType() {
        return argsType;
    }

    public Class<R> resultType() {
        return resultType;
    }

    public TaskOptions<A> options() {
        return options;
    }

    /** Rate limits on starting this task's jobs, shared by every worker. */
    public List<dev.conveyor.limit.RateLimit<A>> rateLimits() {
        return rateLimits;
    }

    /** Limits on how many of this task's jobs run at once, shared by every worker. */
    public List<dev.conveyor.limit.ConcurrencyLimit<A>> concurrencyLimits() {
        return concurrencyLimits;
    }

    /** True if its jobs' args are stored encrypted ({@link Builder#encryptArgs}). */
    public boolean encryptArgs() {
        return encryptArgs;
    }

    /** Derives a job's fairness key from its args, or null when the task has none ({@link Builder#fairBy}). */
    public Function<? super A, String> fairKey() {
        return fairKey;
    }

    /** How long a succeeded job is kept with its result ({@link Builder#keepResultFor}), or null for the workers' policy. */
    public Duration keepResultFor() {
        return keepResultFor;
    }

    /** True when the task has a rate or concurrency limit (the worker then needs a broker with shared state). */
    public boolean hasLimits() {
        return !rateLimits.isEmpty() || !concurrencyLimits.isEmpty();
    }

    /** True when the handler returns a {@link CompletionStage}. */
    public boolean isAsync() {
        return async;
    }

    /**
     * Runs the handler itself, without middleware, timeout or retries: what the worker calls inside all of
     * those. Returns the result, or the {@link CompletionStage} of an async handler.
     */
    public Object invoke(A args, JobContext context) throws Exception {
        return invoker.handle(args, context);
    }

    @Override
    public String toString() {
        return "Task[" + name + "]";
    }

    /** Defines a task; each setter validates its value and the terminal {@code handler}/{@code action} builds it. */
    public static final class Builder<A, R> {
        private final String name;
        private final Class<A> argsType;
        private final Class<R> resultType;
        private TaskOptions<A> options;
        private final List<dev.conveyor.limit.RateLimit<A>> rateLimits = new java.util.ArrayList<>();
        private Function<? super A, String> fairKey;
        private boolean encryptArgs;
        private Duration keepResultFor;
        private final List<dev.conveyor.limit.ConcurrencyLimit<A>> concurrencyLimits = new java.util.ArrayList<>();

        private Builder(String name, Class<A> argsType, Class<R> resultType) {
            this.name = Job.requireTaskName(name);
            this.argsType = Objects.requireNonNull(argsType, "argsType");
            this.resultType = Objects.requireNonNull(resultType, "resultType");
            this.options = new TaskOptions<>(Job.DEFAULT_QUEUE, Job.DEFAULT_PRIORITY, DEFAULT_MAX_ATTEMPTS,
                    DEFAULT_MAX_DELIVERIES, RetryPolicy.DEFAULT, DEFAULT_TIMEOUT, null, null, null,
                    List.of(), List.of(), 0);
        }

        /** The queue jobs go to. Defaults to {@code "default"}. */
        public Builder<A, R> queue(String queue) {
            Job.requireQueueName(queue);
            options = options.withQueue(queue);
            return this;
        }

        /** Priority 0–9, higher runs first. Defaults to 5. */
        public Builder<A, R> priority(int priority) {
            Job.requirePriority(priority);
            options = options.withPriority(priority);
            return this;
        }

        /** Runs before a failing job is dead (1 = no retry). Defaults to 10. */
        public Builder<A, R> maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
            options = options.withMaxAttempts(maxAttempts);
            return this;
        }

        /** Lost leases (worker died mid-job) before the job is quarantined as dead. Defaults to 3. */
        public Builder<A, R> maxDeliveries(int maxDeliveries) {
            if (maxDeliveries < 1) {
                throw new IllegalArgumentException("maxDeliveries must be >= 1, was " + maxDeliveries);
            }
            options = options.withMaxDeliveries(maxDeliveries);
            return this;
        }

        /** The delay between attempts. Defaults to {@link RetryPolicy#DEFAULT}. */
        public Builder<A, R> retry(RetryPolicy retry) {
            Objects.requireNonNull(retry, "retry");
            options = options.withRetry(retry);
            return this;
        }

        /** Longest a run may take before it is interrupted and counted as failed. Defaults to 10 minutes. */
        public Builder<A, R> timeout(Duration timeout) {
            requirePositive(timeout, "timeout");
            return withTimeout(timeout);
        }

        /** Runs may take as long as they like (heartbeats keep the lease). */
        public Builder<A, R> noTimeout() {
            return withTimeout(null);
        }

        private Builder<A, R> withTimeout(Duration timeout) {
            options = options.withTimeout(timeout);
            return this;
        }

        /** A job not started within this time of its enqueue goes to the dead set unrun. Defaults to no limit. */
        public Builder<A, R> maxAge(Duration maxAge) {
            requirePositive(maxAge, "maxAge");
            options = options.withMaxAge(maxAge);
            return this;
        }

        /**
         * Makes jobs unique per queue by a key derived from their args: while a job with the key is unfinished,
         * enqueueing another returns the existing job's handle (marked duplicate).
         */
        public Builder<A, R> unique(Function<? super A, String> keyFromArgs) {
            Objects.requireNonNull(keyFromArgs, "keyFromArgs");
            options = options.withUniqueKey(keyFromArgs);
            return this;
        }

        /** Like {@link #unique(Function)}, and the key stays taken for {@code uniqueFor} after the job finishes. */
        public Builder<A, R> unique(Function<? super A, String> keyFromArgs, Duration uniqueFor) {
            Objects.requireNonNull(uniqueFor, "uniqueFor");
            if (uniqueFor.isNegative()) throw new IllegalArgumentException("uniqueFor must not be negative, was " + uniqueFor);
            unique(keyFromArgs);
            options = options.withUniqueFor(uniqueFor);
            return this;
        }

        /**
         * Makes the task's jobs take turns by a key derived from their args (tenant, customer, API host): within
         * a queue and priority, the broker fetches keys round-robin, so one key's 100,000 queued jobs do not delay
         * another key's 10. A null key leaves a job out of the rotation. See docs/FLOW.md.
         *
         * <pre>{@code
         * Task<Report, Void> report = Task.named("report", Report.class)
         *         .fairBy(Report::tenant)
         *         .action(r -> render(r));
         * }</pre>
         */
        public Builder<A, R> fairBy(Function<? super A, String> keyFromArgs) {
            this.fairKey = Objects.requireNonNull(keyFromArgs, "keyFromArgs");
            return this;
        }

        /**
         * Keeps each job of this task that succeeds, with its result, for {@code keep} after it finished, whatever
         * the workers' {@link Retention} says (default 1 day and at most 100,000 succeeded jobs): longer for a
         * result people come back for, {@code Duration.ZERO} for a result nobody reads. The count limit never
         * prunes such a job early; only {@code Retention.keepAll()} keeps it longer. A job's own
         * {@link EnqueueOptions#keepResultFor} wins. Dead and cancelled jobs follow the policy.
         *
         * <pre>{@code
         * Task<Month, Report> monthly = Task.named("monthly-report", Month.class, Report.class)
         *         .keepResultFor(Duration.ofDays(30))
         *         .handler(m -> reports.build(m));
         * }</pre>
         */
        public Builder<A, R> keepResultFor(Duration keep) {
            Job.keepResultHeader(keep); // checks the range
            this.keepResultFor = keep;
            return this;
        }

        /**
         * Stores this task's args encrypted (AES-256-GCM, {@link dev.conveyor.crypto.ArgsCipher}): the broker, its
         * backups and the dashboard see only ciphertext; the handler gets the args as usual. The enqueuing and the
         * working {@link Conveyor} both need {@code Conveyor.builder().argsCipher(...)} with the key. Task name,
         * queue, headers and results are not encrypted.
         */
        public Builder<A, R> encryptArgs() {
            this.encryptArgs = true;
            return this;
        }

        /**
         * Names of fields in the args (and the result) that operators must not see: the dashboard, its API and
         * {@code conveyor jobs show} print them as {@code "***"}, at any depth, and search does not match them.
         * The names travel with each job in the header {@value dev.conveyor.job.SensitiveFields#HEADER}, so tools
         * without the task's classes know them. Masking is for display only: the values are stored as given.
         * Defaults to none.
         */
        public Builder<A, R> sensitive(String... fields) {
            options = options.withSensitive(List.of(fields));
            return this;
        }

        /** Exceptions of these types (and subtypes) fail the job without retry. */
        @SafeVarargs
        public final Builder<A, R> fatalOn(Class<? extends Throwable>... types) {
            options = options.withFatalOn(List.of(types));
            return this;
        }

        /** Only exceptions of these types are retried; any other fails the job at once. */
        @SafeVarargs
        public final Builder<A, R> retryOn(Class<? extends Throwable>... types) {
            options = options.withRetryOn(List.of(types));
            return this;
        }

        /**
         * At most {@code permits} starts of this task's jobs per {@code per}, across all workers (bursts up to
         * {@code permits}). A job over the limit is postponed to when a start is free: no attempt used, no
         * error recorded. Needs a broker with shared state (capability STATE).
         *
         * <pre>{@code Task.named("geo.lookup", Address.class).rateLimit(50, Duration.ofSeconds(1)).action(...)}</pre>
         */
        public Builder<A, R> rateLimit(int permits, Duration per) {
            rateLimits.add(new dev.conveyor.limit.RateLimit<>(permits, per, permits, null));
            return this;
        }

        /**
         * Like {@link #rateLimit(int, Duration)}, counted separately for each key derived from the args (e.g. per
         * tenant or per API host). A null key exempts the job.
         */
        public Builder<A, R> rateLimit(int permits, Duration per, Function<? super A, String> keyFromArgs) {
            rateLimits.add(new dev.conveyor.limit.RateLimit<>(permits, per, permits,
                    Objects.requireNonNull(keyFromArgs, "keyFromArgs")));
            return this;
        }

        /** A rate limit with its burst given (see {@link dev.conveyor.limit.RateLimit}). */
        public Builder<A, R> rateLimit(dev.conveyor.limit.RateLimit<A> limit) {
            rateLimits.add(Objects.requireNonNull(limit, "limit"));
            return this;
        }

        /**
         * At most {@code max} of this task's jobs running at once across all workers. A job over the limit is
         * postponed (about a second, jittered): no attempt used, no error recorded. Slots are leased, so a
         * crashed worker's slots free themselves. Needs a broker with shared state (capability STATE).
         */
        public Builder<A, R> concurrencyLimit(int max) {
            concurrencyLimits.add(new dev.conveyor.limit.ConcurrencyLimit<>(max, null));
            return this;
        }

        /**
         * At most {@code max} jobs at once for each key derived from the args (e.g. per customer). A null key
         * exempts the job.
         *
         * <pre>{@code Task.named("crm.sync", Sync.class).concurrencyLimit(2, s -> s.customerId()).action(...)}</pre>
         */
        public Builder<A, R> concurrencyLimit(int max, Function<? super A, String> keyFromArgs) {
            concurrencyLimits.add(new dev.conveyor.limit.ConcurrencyLimit<>(max,
                    Objects.requireNonNull(keyFromArgs, "keyFromArgs")));
            return this;
        }

        /**
         * Runs this task's jobs on a dedicated pool of {@code threads} platform threads, for CPU-bound work
         * that should not crowd the virtual-thread carriers. Defaults to one virtual thread per job.
         */
        public Builder<A, R> platformThreads(int threads) {
            if (threads < 1) throw new IllegalArgumentException("platformThreads must be >= 1, was " + threads);
            options = options.withPlatformThreads(threads);
            return this;
        }

        /** Finishes the task with a handler that returns its result. */
        public Task<A, R> handler(Handler<A, R> handler) {
            Objects.requireNonNull(handler, "handler");
            return new Task<>(this, (args, ctx) -> handler.handle(args), false);
        }

        /** Finishes the task with a handler that returns its result and reads its context. */
        public Task<A, R> handler(ContextHandler<A, R> handler) {
            Objects.requireNonNull(handler, "handler");
            return new Task<>(this, handler, false);
        }

        /** Finishes the task with a handler that has no result. */
        public Task<A, R> action(Action<A> action) {
            Objects.requireNonNull(action, "action");
            return new Task<>(this, (args, ctx) -> {
                action.run(args);
                return null;
            }, false);
        }

        /** Finishes the task with a handler that has no result and reads its context. */
        public Task<A, R> action(ContextAction<A> action) {
            Objects.requireNonNull(action, "action");
            return new Task<>(this, (args, ctx) -> {
                action.run(args, ctx);
                return null;
            }, false);
        }

        /**
         * Finishes the task with an asynchronous handler: the job succeeds or fails when the returned stage
         * does, and the timeout applies to the stage (it is cancelled when the time is up).
         */
        public Task<A, R> asyncHandler(AsyncHandler<A, R> handler) {
            Objects.requireNonNull(handler, "handler");
            return new Task<>(this, handler::handle, true);
        }

        private static void requirePositive(Duration d, String field) {
            Objects.requireNonNull(d, field);
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(field + " must be positive, was " + d);
        }
    }
}
