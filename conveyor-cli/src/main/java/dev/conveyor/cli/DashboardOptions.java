package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import dev.conveyor.metrics.ConveyorMetrics;
import dev.conveyor.web.ConveyorDashboard;
import dev.conveyor.web.PrometheusEndpoint;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The dashboard's options, shared by {@code conveyor dashboard} and {@code conveyor demo --dashboard}. */
final class DashboardOptions {
    /** The environment variable read when {@code --token} is not given. */
    static final String TOKEN_ENV = "CONVEYOR_DASHBOARD_TOKEN";

    @Option(names = "--host", paramLabel = "HOST", defaultValue = ConveyorDashboard.DEFAULT_HOST,
            description = "Address to bind (default: ${DEFAULT-VALUE}, this machine only). 0.0.0.0 opens it to the "
                    + "network: put TLS in front of it.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + ConveyorDashboard.DEFAULT_PORT,
            description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Operator token (at least 16 characters) for the login page and `Authorization: Bearer`. "
                    + "Default: $" + TOKEN_ENV + ", else a random one printed at start.")
    String token;

    @Option(names = "--viewer-token", paramLabel = "TOKEN", description = "A read-only token as well.")
    String viewerToken;

    @Option(names = "--audit-file", paramLabel = "FILE",
            description = "Append every operator action to FILE as JSON lines (always also logged).")
    Path auditFile;

    @Option(names = "--metrics",
            description = "Also serve the queue gauges of conveyor-metrics in the Prometheus format at /metrics, behind "
                    + "the same login (Prometheus sends the token as a bearer credential).")
    boolean metrics;

    private ConveyorMetrics meters;

    /** Starts a dashboard on {@code conveyor}'s broker. Call {@link #stop} when done. */
    ConveyorDashboard start(Conveyor conveyor) {
        String t = token != null ? token : BrokerOptions.environment.apply(TOKEN_ENV);
        try {
            ConveyorDashboard.Builder b = ConveyorDashboard.builder().conveyor(conveyor).host(host).port(port)
                    .token(t == null || t.isBlank() ? null : t.trim()).viewerToken(viewerToken).auditFile(auditFile);
            if (metrics) {
                PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                meters = new ConveyorMetrics(registry).watchQueues(conveyor, ConveyorMetrics.DEFAULT_QUEUE_POLL);
                b.routes(PrometheusEndpoint.routes(registry));
            }
            return b.start();
        } catch (IllegalArgumentException e) {
            throw CliException.usage(Errors.message(e));
        } catch (RuntimeException e) {
            throw CliException.failure("cannot start the dashboard on " + host + ":" + port + ": " + Errors.message(e));
        }
    }

    /** Stops what {@link #start} started beside the dashboard (the queue poller of --metrics). */
    void stop() {
        if (meters != null) meters.close();
        meters = null;
    }

    /** The lines telling where the dashboard is and how to log in. */
    static String banner(ConveyorDashboard d) {
        return "Dashboard at " + d.url() + "\n" + (d.token() != null
                ? "Log in with the token " + d.token() + "\n  (generated for this run; set --token or $" + TOKEN_ENV + " to choose one)"
                : "Log in with the configured token.");
    }
}
