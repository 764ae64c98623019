package dev.conveyor.trace;

import java.util.Map;

/**
 * Adds headers to every job at enqueue, on the enqueuing thread: how the current trace context (W3C
 * {@code traceparent} and {@code tracestate}) travels from the code that enqueues a job to the handler that runs
 * it, which reads it from {@code JobContext.headers()}. Headers the caller set on {@code EnqueueOptions} win.
 * Register it with {@code Conveyor.builder().headerPropagator(...)}.
 *
 * <p>With OpenTelemetry, inject the current context with its W3C propagator (see docs/METRICS.md for the
 * handler side, a middleware that makes the extracted context current):
 *
 * <pre>{@code
 * TextMapPropagator w3c = W3CTraceContextPropagator.getInstance();
 * Conveyor conveyor = Conveyor.builder()
 *         .headerPropagator(() -> {
 *             Map<String, String> headers = new HashMap<>();
 *             w3c.inject(Context.current(), headers, Map::put);
 *             return headers;
 *         })
 *         .build();
 * }</pre>
 */
@FunctionalInterface
public interface HeaderPropagator {
    /** The headers to add to the job being enqueued now (an empty map for none; never null). */
    Map<String, String> headers();
}
