package dev.conveyor.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.job.JobState;
import dev.conveyor.testing.TestWorker;
import dev.conveyor.worker.Worker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dashboard on every broker, through the SPI only: list and search dead jobs, open one, re-drive by filter
 * with a dry run, see the live worker, pause a queue. Real servers (SERVICES.md), each test in its own schema,
 * database or key prefix.
 */
class EveryBrokerTest {
    static final String TOKEN = "every-broker-token-0123456789";
    record Msg(int n, String secret) {}

    static final AtomicBoolean broken = new AtomicBoolean(true);
    static final Task<Msg, Void> SEND = Task.named("send", Msg.class).queue("outbox").maxAttempts(1).sensitive("secret")
            .action(m -> {
                if (broken.get()) throw new IllegalStateException(m.n() % 2 == 0 ? "<script>x</script> relay refused" : "quota");
            });

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite", "postgresql", "mariadb", "redis"})
    void theDashboardWorksThroughTheSpi(String kind) throws Exception {
        broken.set(true);
        try (TestBrokers place = new TestBrokers(kind, dir);
             Conveyor conveyor = Conveyor.builder().broker(place.url()).task(SEND).build();
             ConveyorDashboard d = ConveyorDashboard.builder().conveyor(conveyor).port(0).token(TOKEN).start()) {
            for (int i = 0; i < 6; i++) conveyor.enqueue(SEND, new Msg(i, "pw-" + i));
            TestWorker.of(conveyor).drain("outbox");
            assertThat(get(d, "/api/overview")).contains("\"queue\":\"outbox\"").contains("\"DEAD\":6");
            String dead = get(d, "/api/jobs?state=dead&error=relay&size=2");
            assertThat(dead.split("\"task\":").length - 1).isEqualTo(2);
            String id = dead.replaceAll("^.*?\"id\":\"([^\"]+)\".*$", "$1");
            String page = get(d, "/jobs/" + id);
            assertThat(page).contains("&lt;script&gt;x&lt;/script&gt; relay refused").doesNotContain("pw-").contains("***");
            assertThat(post(d, "/api/dead/redrive", "{\"error\":\"relay\",\"dryRun\":true}")).contains("\"count\":3");
            broken.set(false);
            Worker worker = conveyor.startWorker(WorkerOptions.defaults().queues("outbox").pollInterval(Duration.ofMillis(50))
                    .shutdownOnSigterm(false));
            try {
                assertThat(post(d, "/api/dead/redrive", "{\"error\":\"relay\"}")).contains("\"count\":3");
                await().atMost(Duration.ofSeconds(20)).until(() -> conveyor.store().get(id).orElseThrow().state() == JobState.SUCCEEDED);
                await().atMost(Duration.ofSeconds(10)).until(() -> get(d, "/api/workers").contains("\"queues\":[\"outbox\"]"));
                assertThat(post(d, "/api/queues/outbox/pause", "{}")).contains("paused");
                assertThat(get(d, "/api/overview")).contains("\"paused\":true");
                assertThat(post(d, "/api/queues/outbox/resume", "{}")).contains("resumed");
            } finally {
                worker.shutdown(Duration.ofSeconds(5));
            }
            assertThat(get(d, "/api/jobs?state=dead&size=10").split("\"task\":").length - 1).isEqualTo(3);
        }
    }

    private String get(ConveyorDashboard d, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(d.url() + path.substring(1)))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    private String post(ConveyorDashboard d, String path, String json) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(d.url() + path.substring(1)))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }
}
