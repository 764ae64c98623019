package dev.conveyor.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.schedule.Schedule;
import dev.conveyor.schedule.Scheduler;
import dev.conveyor.testing.TestWorker;
import dev.conveyor.worker.PausedQueues;
import dev.conveyor.worker.Worker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's features through its API and pages: dead letters by filter, schedules, workers, queues, paging. */
class FeaturesTest {
    static final String TOKEN = "features-token-0123456789";
    record N(int n) {}

    static final Task<N, Void> FLAKY = Task.named("flaky", N.class).maxAttempts(1).queue("mail")
            .action(a -> {
                throw new IllegalStateException(a.n() % 2 == 0 ? "SMTP timeout" : "mailbox full");
            });
    static final Task<N, Void> FINE = Task.named("fine", N.class).queue("mail").action(a -> {});
    static final Task<N, N> DOUBLE = Task.named("double", N.class, N.class).queue("mail").handler(a -> new N(a.n() * 2));

    Conveyor conveyor;
    ConveyorDashboard dashboard;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        conveyor = Conveyor.builder().broker("memory:").task(FLAKY).task(FINE).task(DOUBLE)
                .schedule(Schedule.cron("nightly", "0 3 * * *").task(FINE, new N(1))).build();
        dashboard = ConveyorDashboard.builder().conveyor(conveyor).port(0).token(TOKEN).start();
    }

    @AfterEach
    void stop() {
        dashboard.close();
        conveyor.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(dashboard.url() + path.substring(1)))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(dashboard.url() + path.substring(1)))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void redriveByFilterCountsFirstThenRedrivesExactlyThose() throws Exception {
        for (int i = 0; i < 10; i++) conveyor.enqueue(FLAKY, new N(i));
        TestWorker.of(conveyor).drain();
        assertThat(post("/api/dead/redrive", "{\"error\":\"smtp\",\"dryRun\":true}").body())
                .contains("\"count\":5").contains("would be re-driven");
        assertThat(conveyor.store().queues().getFirst().count(dev.conveyor.job.JobState.DEAD)).isEqualTo(10);
        assertThat(post("/api/dead/redrive", "{\"queue\":\"mail\",\"dryRun\":true}").body()).contains("\"count\":10");
        assertThat(post("/api/dead/redrive", "{\"error\":\"smtp\"}").body()).contains("\"count\":5");
        assertThat(conveyor.store().queues().getFirst().count(dev.conveyor.job.JobState.DEAD)).isEqualTo(5);
        assertThat(post("/api/dead/purge", "{\"queue\":\"mail\"}").body()).contains("\"count\":5");
        assertThat(get("/dead").body()).contains("No jobs match");
    }

    @Test
    void searchByErrorTextAndKeysetPaging() throws Exception {
        for (int i = 0; i < 30; i++) conveyor.enqueue(FLAKY, new N(i));
        TestWorker.of(conveyor).drain();
        String first = get("/api/jobs?state=dead&error=mailbox&size=10").body();
        assertThat(first.split("\"task\":").length - 1).isEqualTo(10);
        String cursor = first.replaceAll(".*\"nextCursor\":\"([^\"]+)\".*", "$1");
        String second = get("/api/jobs?state=dead&error=mailbox&size=10&cursor=" + cursor).body();
        assertThat(second.split("\"task\":").length - 1).isEqualTo(5);
        assertThat(second).contains("\"nextCursor\":null");
        assertThat(get("/api/jobs?state=nonsense").statusCode()).isEqualTo(400);
        assertThat(get("/jobs?queue=mail&state=DEAD&size=10").body()).contains("id=\"next-page\"");
    }

    @Test
    void aWorkflowJobLinksToTheOtherStepsOfItsWorkflow() throws Exception {
        var flow = dev.conveyor.workflow.Flow.chain(dev.conveyor.workflow.Flow.step(DOUBLE, new N(1)),
                dev.conveyor.workflow.Flow.then(DOUBLE));
        String workflow = conveyor.start(flow, N.class).id();
        TestWorker.of(conveyor).drain();
        TestWorker.of(conveyor).drain();
        var jobs = conveyor.store().list(dev.conveyor.broker.JobQuery.all(10)).items();
        assertThat(jobs).hasSize(2);
        String page = get("/jobs/" + jobs.get(0).id()).body();
        assertThat(page).contains("id=\"workflow\"").contains(workflow).contains("(this job)")
                .contains("class=\"workflow-job\" href=\"/jobs/" + jobs.get(1).id() + "\"");
        assertThat(get("/api/jobs/" + jobs.get(1).id()).body()).contains("\"workflow\":{\"workflow\":\"" + workflow + "\"");
    }

    @Test
    void aJobWithItsOwnKeepTimeSaysUntilWhenItsResultIsKept() throws Exception {
        Task<N, N> kept = Task.named("kept", N.class, N.class).queue("mail").keepResultFor(Duration.ofHours(2))
                .handler(a -> a);
        try (Conveyor c = Conveyor.builder().broker("memory:").task(kept).build();
             ConveyorDashboard d = ConveyorDashboard.builder().conveyor(c).port(0).token(TOKEN).start()) {
            String id = c.enqueue(kept, new N(1)).id();
            java.util.function.Supplier<String> page = () -> {
                try {
                    return http.send(HttpRequest.newBuilder(URI.create(d.url() + "jobs/" + id))
                            .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            assertThat(page.get()).contains("Result kept").contains("2 h 0 m after it succeeds, its own keep time");
            try (Worker w = c.startWorker(WorkerOptions.defaults().queues("mail"))) {
                assertThat(c.handle(kept, id).await(Duration.ofSeconds(10))).isEqualTo(new N(1));
            }
            assertThat(page.get()).containsPattern("id=\"kept\">until <time datetime=\"[^\"]+\">[^<]+</time> \\(in 1 h 59 m\\), its own keep time");
        }
        assertThat(get("/jobs/" + conveyor.enqueue(FINE, new N(2)).id()).body()).doesNotContain("Result kept");
    }

    @Test
    void schedulesShowAndPause() throws Exception {
        Scheduler scheduler = conveyor.startScheduler();
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/api/schedules").body().contains("nightly"));
        assertThat(get("/schedules").body()).contains("nightly").contains("0 3 * * *").contains("active");
        assertThat(post("/api/schedules/nightly/pause", "{}").statusCode()).isEqualTo(200);
        assertThat(Scheduler.list((dev.conveyor.broker.StateStore) conveyor.broker()).get("nightly").paused()).isTrue();
        assertThat(get("/schedules").body()).contains("paused"); // buttons need a session (their CSRF token)
        assertThat(post("/api/schedules/nope/pause", "{}").statusCode()).isEqualTo(404);
        scheduler.close();
    }

    @Test
    void liveWorkersComeAndGo() throws Exception {
        Worker worker = conveyor.startWorker(WorkerOptions.defaults().queues("mail").concurrency(7));
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/api/workers").body().contains("\"concurrency\":7"));
        assertThat(get("/api/workers").body()).contains("\"inFlight\":0,\"held\":0");
        String page = get("/workers").body();
        assertThat(page).contains(String.valueOf(ProcessHandle.current().pid())).contains("alive").contains("mail");
        worker.close();
        assertThat(get("/api/workers").body()).isEqualTo("{\"workers\":[]}");
    }

    @Test
    void queuesPauseAndResumeAndTheOverviewUpdates() throws Exception {
        conveyor.enqueue(FINE, new N(1));
        assertThat(get("/").body()).contains("data-queue=\"mail\"").contains("id=\"throughput\"");
        assertThat(post("/api/queues/mail/pause", "{}").body()).contains("paused");
        assertThat(PausedQueues.read((dev.conveyor.broker.StateStore) conveyor.broker())).containsExactly("mail");
        assertThat(get("/api/overview").body()).contains("\"paused\":true");
        assertThat(post("/api/queues/mail/resume", "{}").body()).contains("resumed");
        assertThat(post("/api/queues/bad%20name/pause", "{}").statusCode()).isEqualTo(400);
        String stats = get("/api/stats").body();
        assertThat(stats).contains("\"series\":[").contains("\"READY\":1");
    }
}
