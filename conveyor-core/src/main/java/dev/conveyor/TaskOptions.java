package dev.conveyor;

import dev.conveyor.retry.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * A task's options: the defaults of every job it enqueues (except where the enqueue overrides them) and how
 * the worker runs it. Set through {@link Task.Builder}; read through {@link Task#options()}.
 *
 * @param queue           defaults to {@code "default"}
 * @param priority        0–9, higher first; defaults to 5
 * @param maxAttempts     runs before the job is dead; defaults to {@value Task#DEFAULT_MAX_ATTEMPTS}
 * @param maxDeliveries   lost leases before quarantine; defaults to {@value Task#DEFAULT_MAX_DELIVERIES}
 * @param retry           delay between attempts; defaults to {@link RetryPolicy#DEFAULT}
 * @param timeout         per run; null = none; defaults to {@link Task#DEFAULT_TIMEOUT}
 * @param maxAge          a job not started this long after its enqueue is dropped to the dead set unrun;
 *                        null = no limit (the default)
 * @param uniqueKey       derives a unique key from the args; null = not unique (the default)
 * @param uniqueFor       how long the key stays taken after the job finishes; defaults to none
 * @param fatalOn         exception types that fail the job at once; defaults to none
 * @param retryOn         when non-empty, only these exception types are retried, others are fatal
 * @param platformThreads when positive, jobs run on a pool of this many platform threads (CPU-bound work)
 *                        instead of one virtual thread each; defaults to 0
 * @param sensitive       names of args (and result) fields the dashboard and CLI show masked; they travel in the
 *                        job header {@value dev.conveyor.job.SensitiveFields#HEADER}; defaults to none
 */
public record TaskOptions<A>(
        String queue,
        int priority,
        int maxAttempts,
        int maxDeliveries,
        RetryPolicy retry,
        Duration timeout,
        Duration maxAge,
        Function<? super A, String> uniqueKey,
        Duration uniqueFor,
        List<Class<? extends Throwable>> fatalOn,
        List<Class<? extends Throwable>> retryOn,
        int platformThreads,
        List<String> sensitive) {

    public TaskOptions {
        fatalOn = List.copyOf(fatalOn);
        retryOn = List.copyOf(retryOn);
        sensitive = sensitive == null ? List.of() : List.copyOf(sensitive);
        for (String f : sensitive) dev.conveyor.job.SensitiveFields.requireFieldName(f);
    }

    /** Without sensitive fields (the constructor before {@code sensitive} was added). */
    public TaskOptions(String queue, int priority, int maxAttempts, int maxDeliveries, RetryPolicy retry,
                       Duration timeout, Duration maxAge, Function<? super A, String> uniqueKey, Duration uniqueFor,
                       List<Class<? extends Throwable>> fatalOn, List<Class<? extends Throwable>> retryOn,
                       int platformThreads) {
        this(queue, priority, maxAttempts, maxDeliveries, retry, timeout, maxAge, uniqueKey, uniqueFor, fatalOn, retryOn,
                platformThreads, List.of());
    }

    /** True when {@code error} should end the job without retry under these options. */
    public boolean isFatal(Throwable error) {
        if (error instanceof FatalJobException) return true;
        if (error instanceof RetryLaterException) return false;
        for (Class<? extends Throwable> c : fatalOn) if (c.isInstance(error)) return true;
        if (retryOn.isEmpty()) return false;
        for (Class<? extends Throwable> c : retryOn) if (c.isInstance(error)) return false;
        return true;
    }

    TaskOptions<A> withQueue(String queue) {
        return new TaskOptions<>(queue, priority, maxAttempts, maxDeliveries, retry, timeout, maxAge, uniqueKey, uniqueFor, fatalOn, retryOn, platformThreads, sensitive);
    }

    TaskOptions<A> withPriority(int priority) {
        return new TaskOptions<>(queue, priority, maxAttempts, maxDeliveries, retry, timeout, maxAge, uniqueKey, uniqueFor, fatalOn, retryOn, platformThreads, sensitive);
    }

    TaskOptions<A> withMaxAttempts(int maxAttempts) {
        return new TaskOptions<>(queue, priority, maxAttempts, maxDeliveries, retry, timeout, maxAge, uniqueKey, uniqueFor, fatalOn, retryOn, platformThreads, sensitive);
    }

    TaskOptions<A> withMaxDeliveries(int maxDeliveries) {
        return new TaskOptions<>(queue, priority, maxAttempts, maxDeliveries, retry, timeout, maxAge, uniqueKey, uniqueFor, fatalOn, retryOn, platformThreads, sensitive);
    }

    TaskOptions<A> withRetry(RetryPolicy retry) {
        return new TaskOptions<>(queue, priority, maxAttempts, maxDeliveries, retry, timeout, maxAge, uniqueKey, uniqueFor, fatalOn, retryOn, platformThreads, sensitive);
    }

    TaskOptions<A> withTimeout(Duration timeout) {
        return new TaskOptions<>(queue, priority, maxAttempts, maxDeliveries, retry, timeout, maxAge, uniqueKey, uniqueFor, fatalOn, retryOn, platformThreads, sensitive);
    }

    TaskOptions<A> withMaxAge(Duration maxAge) {
        return new TaskOptions<>(queue, priority, maxAttempts, maxDeliveries, retry, timeout, maxAge, uniqueKey, uniqueFor, fatalOn, retryOn, platformThreads, sensitive);
    }

    TaskOptions<A> withUniqueKey(Function<? super A, String> uniqueKey) {
        return new TaskOptions<>(queue, priority, maxAttempts, maxDeliveries, retry, timeout, maxAge, uniqueKey, uniqueFor, fatalOn, retryOn, platformThreads, sensitive);
    }

    TaskOptions<A> withUniqueFor(Duration uniqueFor) {
        return new TaskOptions<>(queue, priority, maxAttempts, maxDeliveries, retry, timeout, maxAge, uniqueKey, uniqueFor, fatalOn, retryOn, platformThreads, sensitive);
    }

    TaskOptions<A> withFatalOn(List<Class<? extends Throwable>> fatalOn) {
        return new TaskOptions<>(queue, priority, maxAttempts, maxDeliveries, retry, timeout, maxAge, uniqueKey, uniqueFor, fatalOn, retryOn, platformThreads, sensitive);
    }

    TaskOptions<A> withRetryOn(List<Class<? extends Throwable>> retryOn) {
        return new TaskOptions<>(queue, priority, maxAttempts, maxDeliveries, retry, timeout, maxAge, uniqueKey, uniqueFor, fatalOn, retryOn, platformThreads, sensitive);
    }

    TaskOptions<A> withSensitive(List<String> sensitive) {
        return new TaskOptions<>(queue, priority, maxAttempts, maxDeliveries, retry, timeout, maxAge, uniqueKey, uniqueFor, fatalOn, retryOn, platformThreads, sensitive);
    }

    TaskOptions<A> withPlatformThreads(int platformThreads) {
        return new TaskOptions<>(queue, priority, maxAttempts, maxDeliveries, retry, timeout, maxAge, uniqueKey, uniqueFor, fatalOn, retryOn, platformThreads, sensitive);
    }
}
