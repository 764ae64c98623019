package dev.conveyor.middleware;

import dev.conveyor.JobContext;

/**
 * Code that runs around every handler invocation: logging, metrics, tracing, tenant context, error
 * reporting. One around-method, like a servlet filter: do something, call {@code next.proceed()}, do
 * something after, and return (or translate) what it returned or threw.
 *
 * <pre>{@code
 * Middleware timing = (ctx, next) -> {
 *     long start = System.nanoTime();
 *     try {
 *         return next.proceed();
 *     } finally {
 *         log.info("{} took {} µs", ctx.task(), (System.nanoTime() - start) / 1000);
 *     }
 * };
 * }</pre>
 *
 * Middleware runs on the job's thread, inside the job's timeout. For a handler that returns a
 * {@link java.util.concurrent.CompletionStage}, {@code proceed()} returns that stage as soon as the handler
 * returns it; attach to it to act when it completes.
 */
@FunctionalInterface
public interface Middleware {
    Object around(JobContext context, Invocation next) throws Exception;

    /** The rest of the chain: the next middleware, or the handler itself. */
    @FunctionalInterface
    interface Invocation {
        Object proceed() throws Exception;
    }
}
