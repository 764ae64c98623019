package dev.conveyor.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.job.JobState;
import dev.conveyor.testing.TestWorker;
import dev.conveyor.web.auth.SecurityHeaders;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The "bad input" and "safe by default" checks of issue 8, each against a running dashboard. */
class SecurityTest {
    @TempDir
    Path dir;
    TestServer server;
    String deadId;

    @BeforeEach
    void start() {
        server = new TestServer(dir.resolve("audit.jsonl"));
        server.conveyor.enqueue(TestServer.ECHO, new TestServer.Args("<script>alert('args')</script>", "hunter2-secret", "n"));
        deadId = server.conveyor.enqueue(TestServer.BOOM, new TestServer.Args("x", "hunter2-secret", "<b>bold</b>")).id();
        TestWorker.of(server.conveyor).drain();
        assertThat(server.conveyor.store().get(deadId).orElseThrow().state()).isEqualTo(JobState.DEAD);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void unauthenticatedRequestsGet401AndNoData() throws Exception {
        for (String path : new String[] {"/", "/jobs", "/dead", "/jobs/" + deadId, "/workers", "/api/jobs", "/api/overview",
                "/api/jobs/" + deadId, "/api/stats", "/no-such-page"}) {
            HttpResponse<String> r = server.get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.body()).as(path).doesNotContain(deadId).doesNotContain("boom").doesNotContain("default");
        }
        HttpResponse<String> wrong = server.get("/api/jobs", "not-the-token-at-all-xx");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).isEqualTo("{\"error\":\"login required\"}");
        HttpResponse<String> post = server.postJson("/api/jobs/" + deadId + "/redrive", null, "{}");
        assertThat(post.statusCode()).isEqualTo(401);
        assertThat(server.conveyor.store().get(deadId).orElseThrow().state()).isEqualTo(JobState.DEAD);
    }

    @Test
    void aFormWithoutTheCsrfTokenIs403AndChangesNothing() throws Exception {
        String cookie = server.login();
        HttpResponse<String> r = server.postForm("/api/jobs/" + deadId + "/redrive", cookie, Map.of("_back", "/dead"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("CSRF");
        HttpResponse<String> wrong = server.postForm("/api/jobs/" + deadId + "/redrive", cookie, Map.of("_csrf", "guess"));
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(server.conveyor.store().get(deadId).orElseThrow().state()).isEqualTo(JobState.DEAD);

        String csrf = TestServer.csrf(server.getWithCookie("/dead", cookie).body());
        HttpResponse<String> ok = server.postForm("/api/jobs/" + deadId + "/redrive", cookie, Map.of("_csrf", csrf, "_back", "/dead"));
        assertThat(ok.statusCode()).isEqualTo(303);
        assertThat(ok.headers().firstValue("Location")).hasValue("/dead");
        assertThat(server.conveyor.store().get(deadId).orElseThrow().state()).isEqualTo(JobState.READY);
        assertThat(server.getWithCookie("/dead", cookie).body()).contains("Re-drove job " + deadId);
    }

    @Test
    void aViewerCannotAct() throws Exception {
        assertThat(server.get("/api/jobs", TestServer.VIEWER).statusCode()).isEqualTo(200);
        HttpResponse<String> r = server.postJson("/api/jobs/" + deadId + "/redrive", TestServer.VIEWER, "{}");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(server.conveyor.store().get(deadId).orElseThrow().state()).isEqualTo(JobState.DEAD);
        // A bearer token needs no CSRF token: a browser never adds it on its own.
        assertThat(server.postJson("/api/jobs/" + deadId + "/redrive", TestServer.OPERATOR, "{}").statusCode()).isEqualTo(200);
    }

    @Test
    void aHugePageSizeIsClamped() throws Exception {
        for (int i = 0; i < 230; i++) server.conveyor.enqueue(TestServer.ECHO, new TestServer.Args("n" + i, "p", "x"));
        HttpResponse<String> r = server.get("/api/jobs?size=1000000000", TestServer.OPERATOR);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("{\"size\":200,");
        assertThat(r.body().split("\"task\":").length - 1).isEqualTo(200);
        assertThat(server.get("/api/jobs?size=99999999999999999999999", TestServer.OPERATOR).body()).startsWith("{\"size\":200,");
        assertThat(server.get("/jobs?size=1000000000", TestServer.OPERATOR).body().split("class=\"job-link").length - 1).isEqualTo(200);
    }

    @Test
    void anUnknownJobIs404() throws Exception {
        HttpResponse<String> page = server.get("/jobs/0197a3c2-5d1e-7c4a-9f00-1b2c3d4e5f60", TestServer.OPERATOR);
        assertThat(page.statusCode()).isEqualTo(404);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("Not found").contains("No job 0197a3c2-5d1e-7c4a-9f00-1b2c3d4e5f60");
        HttpResponse<String> api = server.get("/api/jobs/%3Cscript%3E", TestServer.OPERATOR);
        assertThat(api.statusCode()).isEqualTo(404);
        assertThat(api.body()).doesNotContain("<script>");
        assertThat(server.get("/no-such-page", TestServer.OPERATOR).statusCode()).isEqualTo(404);
    }

    @Test
    void scriptTagsInArgsAndErrorsRenderAsText() throws Exception {
        String argsJob = server.conveyor.store().list(dev.conveyor.broker.JobQuery.all(10)).items().stream()
                .filter(i -> i.job().task().equals("echo")).findFirst().orElseThrow().id();
        String page = server.get("/jobs/" + argsJob, TestServer.OPERATOR).body();
        assertThat(page).contains("&lt;script&gt;alert(&#39;args&#39;)&lt;/script&gt;").doesNotContain("<script>alert");
        String dead = server.get("/jobs/" + deadId, TestServer.OPERATOR).body();
        assertThat(dead).contains("&lt;script&gt;alert(&#39;error&#39;)&lt;/script&gt;").contains("&lt;b&gt;bold&lt;/b&gt;")
                .doesNotContain("<script>alert").doesNotContain("<b>bold");
        String list = server.get("/dead", TestServer.OPERATOR).body();
        assertThat(list).contains("&lt;script&gt;").doesNotContain("<script>alert");
        // The only script element is the dashboard's own file.
        assertThat(dead.split("<script").length - 1).isEqualTo(1);
    }

    @Test
    void everyResponseCarriesTheStrictCsp() throws Exception {
        for (String path : new String[] {"/", "/login", "/api/jobs", "/static/dashboard.js", "/jobs/" + deadId}) {
            HttpResponse<String> r = server.get(path, path.equals("/") ? null : TestServer.OPERATOR);
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).hasValue(SecurityHeaders.CSP);
            assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
        }
        assertThat(SecurityHeaders.CSP).startsWith("default-src 'self'").doesNotContain("unsafe-inline");
        String page = server.get("/", TestServer.OPERATOR).body();
        assertThat(page).doesNotContain("style=").doesNotContain("onclick").doesNotContain("<script>");
    }

    @Test
    void sensitiveFieldsAreMaskedEverywhere() throws Exception {
        String page = server.get("/jobs/" + deadId, TestServer.OPERATOR).body();
        assertThat(page).doesNotContain("hunter2").contains("***");
        String api = server.get("/api/jobs/" + deadId, TestServer.OPERATOR).body();
        assertThat(api).doesNotContain("hunter2").contains("***");
        // Searching for the secret finds nothing: search runs on the masked args.
        String found = server.get("/api/jobs?args=hunter2", TestServer.OPERATOR).body();
        assertThat(found).contains("\"items\":[]");
        assertThat(server.get("/api/jobs?args=alert", TestServer.OPERATOR).body()).contains("\"task\":\"echo\"");
    }

    @Test
    void operatorActionsAreAudited() throws Exception {
        server.postJson("/api/jobs/" + deadId + "/redrive", TestServer.OPERATOR, "{}");
        server.postJson("/api/queues/default/pause", TestServer.OPERATOR, "{}");
        server.postJson("/api/jobs/0197a3c2-5d1e-7c4a-9f00-1b2c3d4e5f60/delete", TestServer.OPERATOR, "{}");
        server.postJson("/api/jobs/forged%0Aline/cancel", TestServer.OPERATOR, "{}"); // one action, one line
        String file = Files.readString(dir.resolve("audit.jsonl"));
        assertThat(file.lines()).hasSize(4);
        assertThat(file).contains("forged?line");
        assertThat(file).contains("\"user\":\"token:operator\"").contains("\"action\":\"job.redrive\"")
                .contains("\"target\":\"" + deadId + "\"").contains("\"action\":\"queue.pause\"").contains("failed: no job");
        assertThat(server.get("/audit", TestServer.VIEWER).body()).contains("job.redrive").contains("queue.pause");
    }

    @Test
    void loginAndLogout() throws Exception {
        assertThat(server.postForm("/login", null, Map.of("username", "alice", "password", "wrong-password")).statusCode()).isEqualTo(401);
        assertThat(server.postForm("/login", null, Map.of("token", TestServer.VIEWER)).statusCode()).isEqualTo(303);
        String cookie = server.login();
        String page = server.getWithCookie("/", cookie).body();
        assertThat(page).contains("alice").contains("operator");
        HttpResponse<String> out = server.postForm("/logout", cookie, Map.of("_csrf", TestServer.csrf(page)));
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(server.getWithCookie("/", cookie).statusCode()).isEqualTo(401);
    }

    @Test
    void bindsToLoopbackByDefault() {
        assertThat(ConveyorDashboard.DEFAULT_HOST).isEqualTo("127.0.0.1");
        assertThat(server.dashboard.url()).startsWith("http://127.0.0.1:");
        assertThat(server.dashboard.token()).isNull(); // credentials were configured
    }
}
