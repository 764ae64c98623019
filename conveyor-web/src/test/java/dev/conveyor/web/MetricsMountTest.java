package dev.conveyor.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.metrics.ConveyorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The dashboard does not need {@code /metrics} (workers serve it, conveyor-metrics): without the optional mount it
 * is a 404 like any unknown path; with {@link PrometheusEndpoint} it serves the registry, behind the login.
 */
class MetricsMountTest {
    static final String TOKEN = "metrics-token-0123456789";
    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> get(ConveyorDashboard d, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.url() + "metrics"));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void notMountedByDefault() throws Exception {
        try (Conveyor c = Conveyor.builder().broker("memory:").build();
             ConveyorDashboard d = ConveyorDashboard.builder().conveyor(c).port(0).token(TOKEN).start()) {
            assertThat(get(d, TOKEN).statusCode()).isEqualTo(404);
            assertThat(get(d, null).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void mountedItServesQueueGaugesBehindTheLogin() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Conveyor c = Conveyor.builder().broker("memory:").build();
             ConveyorMetrics metrics = new ConveyorMetrics(registry).watchQueues(c, Duration.ofSeconds(10));
             ConveyorDashboard d = ConveyorDashboard.builder().conveyor(c).port(0).token(TOKEN)
                     .routes(PrometheusEndpoint.routes(registry)).start()) {
            c.enqueueJson("anything", "{}", dev.conveyor.EnqueueOptions.defaults().queue("mail"));
            metrics.pollQueuesNow();
            assertThat(get(d, null).statusCode()).isEqualTo(401);
            HttpResponse<String> r = get(d, TOKEN);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            assertThat(r.body()).contains("conveyor_queue").contains("queue=\"mail\"");
        }
    }
}
