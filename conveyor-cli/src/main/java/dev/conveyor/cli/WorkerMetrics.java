package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import dev.conveyor.metrics.ConveyorMetrics;
import dev.conveyor.metrics.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/** The worker command's metrics: a Prometheus registry fed by Conveyor's listener, served on /metrics. */
final class WorkerMetrics implements AutoCloseable {
    private final String host;
    private final int port;
    private final Duration queuePoll;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConveyorMetrics metrics = new ConveyorMetrics(registry);
    private MetricsServer server;

    WorkerMetrics(String host, int port, Duration queuePoll) {
        this.host = host;
        this.port = port;
        this.queuePoll = queuePoll;
    }

    /** Register before the Conveyor is built, so it hears every job and worker. */
    ConveyorMetrics listener() {
        return metrics;
    }

    /** Starts reading queue stats (when the broker keeps them) and serving; returns the scrape URL. */
    URI start(Conveyor conveyor) {
        try {
            if (conveyor.store() != null) metrics.watchQueues(conveyor, queuePoll);
            server = MetricsServer.start(registry, host, port);
        } catch (IOException | RuntimeException e) {
            throw CliException.failure("cannot serve metrics on " + host + ":" + port + ": " + Errors.message(e));
        }
        return server.uri();
    }

    @Override
    public void close() {
        if (server != null) server.close();
        metrics.close();
    }
}
