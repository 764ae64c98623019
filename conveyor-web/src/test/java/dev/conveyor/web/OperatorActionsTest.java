package dev.conveyor.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.Task;
import dev.conveyor.job.JobState;
import dev.conveyor.testing.TestWorker;
import dev.conveyor.web.auth.Role;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Operator actions on real jobs through the REST API, as a browser session does them (session cookie plus the
 * session's CSRF token in {@code X-CSRF-Token}), on every broker: an operator deletes a dead job and cancels a
 * ready and a scheduled one, and the store and the audit log show it; a read-only user gets 403 and changes
 * nothing, and nothing is audited for the refused calls.
 */
class OperatorActionsTest {
    static final String OPERATOR = "olga";
    static final String VIEWER = "victor";
    static final String PASSWORD = "correct horse battery";
    record Msg(String to) {}

    static final Task<Msg, Void> SEND = Task.named("send", Msg.class).queue("outbox").maxAttempts(1)
            .action(m -> {
                throw new IllegalStateException("relay refused " + m.to());
            });
    static final Task<Msg, Void> LATER = Task.named("later", Msg.class).queue("later").action(m -> {});

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    final ObjectMapper json = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "sqlite", "postgresql", "mariadb", "redis"})
    void anOperatorDeletesAndCancelsRealJobsAndAViewerCannot(String kind) throws Exception {
        Path auditFile = dir.resolve("audit.jsonl");
        try (TestBrokers place = new TestBrokers(kind, dir);
             Conveyor conveyor = Conveyor.builder().broker(place.url()).task(SEND).task(LATER).build();
             ConveyorDashboard d = ConveyorDashboard.builder().conveyor(conveyor).port(0)
                     .user(OPERATOR, PASSWORD, Role.OPERATOR).user(VIEWER, PASSWORD, Role.VIEWER)
                     .auditFile(auditFile).start()) {
            String dead = conveyor.enqueue(SEND, new Msg("a@example.com")).id();
            TestWorker.of(conveyor).drain("outbox");
            assertThat(state(conveyor, dead)).isEqualTo(JobState.DEAD);
            String ready = conveyor.enqueue(LATER, new Msg("b@example.com")).id();
            String scheduled = conveyor.enqueue(LATER, new Msg("c@example.com"),
                    EnqueueOptions.defaults().delay(Duration.ofHours(1))).id();
            assertThat(state(conveyor, ready)).isEqualTo(JobState.READY);
            assertThat(state(conveyor, scheduled)).isEqualTo(JobState.SCHEDULED);

            // A read-only user with a valid session and CSRF token: 403, nothing changes, nothing is audited.
            Session viewer = login(d, VIEWER);
            for (String call : List.of("/api/jobs/" + dead + "/delete", "/api/jobs/" + ready + "/cancel",
                    "/api/jobs/" + scheduled + "/cancel")) {
                HttpResponse<String> r = post(d, call, viewer, true);
                assertThat(r.statusCode()).as(call + ": " + r.body()).isEqualTo(403);
                assertThat(r.body()).contains("read-only");
            }
            assertThat(state(conveyor, dead)).isEqualTo(JobState.DEAD);
            assertThat(state(conveyor, ready)).isEqualTo(JobState.READY);
            assertThat(state(conveyor, scheduled)).isEqualTo(JobState.SCHEDULED);
            assertThat(auditFile).doesNotExist();

            // An operator's session without its CSRF token is refused the same way.
            Session operator = login(d, OPERATOR);
            assertThat(post(d, "/api/jobs/" + dead + "/delete", operator, false).statusCode()).isEqualTo(403);
            assertThat(state(conveyor, dead)).isEqualTo(JobState.DEAD);
            assertThat(auditFile).doesNotExist();

            // With it: the dead job is gone, the ready and the scheduled ones are cancelled.
            JsonNode deleted = ok(post(d, "/api/jobs/" + dead + "/delete", operator, true));
            assertThat(deleted.get("message").asText()).isEqualTo("Deleted job " + dead + ".");
            assertThat(deleted.get("count").asLong()).isEqualTo(1);
            assertThat(conveyor.store().get(dead)).as("the deleted job").isEmpty();
            assertThat(get(d, "/api/jobs/" + dead, operator).statusCode()).isEqualTo(404);

            JsonNode cancelled = ok(post(d, "/api/jobs/" + ready + "/cancel", operator, true));
            assertThat(cancelled.get("message").asText()).isEqualTo("Cancelled job " + ready + ".");
            assertThat(cancelled.get("count").asLong()).isEqualTo(1);
            assertThat(state(conveyor, ready)).isEqualTo(JobState.CANCELLED);
            assertThat(ok(post(d, "/api/jobs/" + scheduled + "/cancel", operator, true)).get("count").asLong()).isEqualTo(1);
            assertThat(state(conveyor, scheduled)).isEqualTo(JobState.CANCELLED);
            // Cancelled jobs never run: a worker finds nothing on their queue.
            assertThat(TestWorker.of(conveyor).drain("later").processed()).isZero();
            assertThat(state(conveyor, ready)).isEqualTo(JobState.CANCELLED);

            // The audit log, in the file and through the API, oldest first in the file.
            List<JsonNode> lines = new ArrayList<>();
            for (String line : Files.readAllLines(auditFile)) lines.add(json.readTree(line));
            assertThat(lines).hasSize(3);
            assertAudit(lines.get(0), "job.delete", dead, "Deleted job " + dead + ".");
            assertAudit(lines.get(1), "job.cancel", ready, "Cancelled job " + ready + ".");
            assertAudit(lines.get(2), "job.cancel", scheduled, "Cancelled job " + scheduled + ".");
            JsonNode entries = ok(get(d, "/api/audit", viewer)).get("entries");
            assertThat(entries).hasSize(3);
            assertAudit(entries.get(0), "job.cancel", scheduled, "Cancelled job " + scheduled + ".");
            assertAudit(entries.get(2), "job.delete", dead, "Deleted job " + dead + ".");
        }
    }

    private static JobState state(Conveyor conveyor, String id) {
        return conveyor.store().get(id).orElseThrow(() -> new AssertionError("no job " + id)).state();
    }

    private static void assertAudit(JsonNode e, String action, String target, String result) {
        assertThat(e.get("user").asText()).as(e.toString()).isEqualTo(OPERATOR);
        assertThat(e.get("role").asText()).as(e.toString()).isEqualTo("operator");
        assertThat(e.get("action").asText()).as(e.toString()).isEqualTo(action);
        assertThat(e.get("target").asText()).as(e.toString()).isEqualTo(target);
        assertThat(e.get("result").asText()).as(e.toString()).isEqualTo(result);
        assertThat(e.get("ip").asText()).as(e.toString()).isNotBlank();
    }

    private JsonNode ok(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.uri() + ": " + r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    /** A logged-in browser session: its cookie and the CSRF token its pages carry. */
    record Session(String cookie, String csrf) {}

    private Session login(ConveyorDashboard d, String user) throws Exception {
        String form = "username=" + enc(user) + "&password=" + enc(PASSWORD);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(d.url() + "login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("login of " + user + ": " + r.body()).isEqualTo(303);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(d.url())).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        return new Session(cookie, TestServer.csrf(page.body()));
    }

    private HttpResponse<String> get(ConveyorDashboard d, String path, Session s) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(d.url() + path.substring(1))).header("Cookie", s.cookie()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(ConveyorDashboard d, String path, Session s, boolean withCsrf) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.url() + path.substring(1)))
                .header("Cookie", s.cookie()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (withCsrf) b.header("X-CSRF-Token", s.csrf());
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
