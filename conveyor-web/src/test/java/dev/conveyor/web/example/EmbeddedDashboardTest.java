package dev.conveyor.web.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.web.ConveyorDashboard;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The embedding example starts, generates a token when none is configured, and serves the API with it. */
class EmbeddedDashboardTest {
    @Test
    void theExampleRuns() throws Exception {
        try (Conveyor conveyor = Conveyor.builder().broker("memory:").task(EmbeddedDashboard.SEND).build();
             ConveyorDashboard d = EmbeddedDashboard.start(conveyor, 0)) {
            conveyor.enqueue(EmbeddedDashboard.SEND, new EmbeddedDashboard.Email("a@example.com", "s3cret"));
            HttpClient http = HttpClient.newHttpClient();
            String token = System.getenv("CONVEYOR_DASHBOARD_TOKEN") != null ? System.getenv("CONVEYOR_DASHBOARD_TOKEN") : d.token();
            assertThat(token).isNotNull();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(d.url() + "api/jobs"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("email.send");
            String id = r.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
            String job = http.send(HttpRequest.newBuilder(URI.create(d.url() + "api/jobs/" + id))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(job).contains("***").doesNotContain("s3cret");
        } finally {
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("conveyor-audit.jsonl"));
        }
    }
}
