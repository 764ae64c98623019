package dev.conveyor.web;

import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Optional: serves a Prometheus registry (from {@code conveyor-metrics}, an optional dependency of this module) at
 * {@code /metrics} inside the dashboard, behind the same login — Prometheus sends the token with
 * {@code authorization: {credentials: ...}} in its scrape config. The dashboard needs none of it; workers serve
 * their own meters with {@code conveyor worker --metrics-port} (METRICS.md).
 *
 * <pre>{@code
 * ConveyorDashboard.builder().conveyor(conveyor).routes(PrometheusEndpoint.routes(registry)).start();
 * }</pre>
 */
public final class PrometheusEndpoint {
    /** The Prometheus text format's content type. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusEndpoint() {}

    /** A route adding {@code GET /metrics} with {@code registry}'s scrape. */
    public static Consumer<RoutesConfig> routes(PrometheusMeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        return r -> r.get("/metrics", ctx -> ctx.contentType(CONTENT_TYPE).result(registry.scrape()));
    }
}
