package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.job.JobState;
import dev.conveyor.testing.TestWorker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code queues}, {@code jobs list}, {@code jobs show} on a store with succeeded, dead, ready and delayed jobs. */
class InspectCommandsTest {
    @TempDir
    Path dir;
    String url;
    String helloId;
    String deadId;

    @BeforeEach
    void fill() {
        url = Cli.sqlite(dir);
        try (Conveyor c = Conveyor.builder().broker(url).tasks(TestApp.HELLO, TestApp.BROKEN).build()) {
            helloId = c.enqueue(TestApp.HELLO, new TestApp.Greet("ada")).id();
            deadId = c.enqueue(TestApp.BROKEN, new TestApp.Fail("disk full")).id();
            TestWorker.of(c).drain();
            c.enqueue(TestApp.HELLO, new TestApp.Greet("later"), EnqueueOptions.defaults().delay(Duration.ofHours(1)));
            c.enqueue(TestApp.HELLO, new TestApp.Greet("now"), EnqueueOptions.defaults().queue("emails"));
        }
    }

    @Test
    void queuesShowsCountsPerStateAndTheOldestReadyAge() {
        Cli.Result r = Cli.run("queues", "--broker", url);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).containsSubsequence("QUEUE", "READY", "SCHEDULED", "RUNNING", "SUCCEEDED", "DEAD",
                "OLDEST READY");
        assertThat(lines).anySatisfy(l -> assertThat(l.split("\\s+")).containsExactly("default", "0", "1", "0", "1", "1", "-"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("emails").matches(".*\\s\\d+s$"));
    }

    @Test
    void queuesOnAnEmptyStoreSaysSo() {
        Cli.Result r = Cli.run("queues", "--broker", "sqlite:" + dir.resolve("empty.db"));
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("No jobs on sqlite:");
    }

    @Test
    void listShowsATableAndFilters() {
        Cli.Result all = Cli.run("jobs", "list", "--broker", url);
        assertThat(all.exitCode()).as(all.toString()).isZero();
        assertThat(all.out().lines().findFirst().orElseThrow()).containsSubsequence("ID", "TASK", "QUEUE", "STATE", "ATTEMPT", "UPDATED");
        assertThat(all.out().lines().count()).isEqualTo(5);

        Cli.Result dead = Cli.run("jobs", "list", "--state", "dead", "--broker", url);
        assertThat(dead.out()).contains(deadId, "broken", "DEAD").doesNotContain(helloId);
        Cli.Result emails = Cli.run("jobs", "list", "--queue", "emails", "--task", "hello", "--broker", url);
        assertThat(emails.out().lines().count()).isEqualTo(2);
    }

    @Test
    void listPagesWithACursor() {
        List<String> seen = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 10; page++) {
            Cli.Result r = after == null ? Cli.run("jobs", "list", "--limit", "1", "--broker", url)
                    : Cli.run("jobs", "list", "--limit", "1", "--after", after, "--broker", url);
            assertThat(r.exitCode()).isZero();
            r.out().lines().skip(1).filter(l -> !l.startsWith("More:")).forEach(l -> seen.add(l.split("\\s+")[0]));
            after = r.out().lines().filter(l -> l.startsWith("More: add --after ")).findFirst()
                    .map(l -> l.substring("More: add --after ".length())).orElse(null);
            if (after == null) break;
        }
        assertThat(seen).hasSize(4).doesNotHaveDuplicates().contains(helloId, deadId);
    }

    @Test
    void listRejectsBadFilters() {
        assertThat(Cli.run("jobs", "list", "--state", "sleeping", "--broker", url).exitCode()).isEqualTo(2);
        assertThat(Cli.run("jobs", "list", "--limit", "0", "--broker", url).exitCode()).isEqualTo(2);
        assertThat(Cli.run("jobs", "list", "--limit", "5000", "--broker", url).exitCode()).isEqualTo(2);
        assertThat(Cli.run("jobs", "list", "--queue", "a b", "--broker", url).exitCode()).isEqualTo(2);
        assertThat(Cli.run("jobs", "--broker", url).exitCode()).isEqualTo(2);
        assertThat(Cli.run("jobs").exitCode()).isEqualTo(2);
    }

    @Test
    void showPrintsEverything() {
        Cli.Result ok = Cli.run("jobs", "show", helloId, "--broker", url);
        assertThat(ok.exitCode()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("Job " + helloId, "task:", "hello", "SUCCEEDED", "\"name\" : \"ada\"",
                "\"hello ada\"", "errors: none");

        Cli.Result dead = Cli.run("jobs", "show", deadId, "--broker", url);
        assertThat(dead.exitCode()).isZero();
        assertThat(dead.out()).contains("DEAD", "broken on purpose: disk full", "java.lang.IllegalStateException",
                "\tat ", "errors: 1");
    }

    @Test
    void showOfAnUnknownIdFailsWithOneLine() {
        Cli.Result r = Cli.run("jobs", "show", "0190aaaa-0000-7000-8000-000000000000", "--broker", url);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("error: no job 0190aaaa-0000-7000-8000-000000000000 on sqlite:");
    }

    @Test
    void showNeedsAnId() {
        assertThat(Cli.run("jobs", "show", "--broker", url).exitCode()).isEqualTo(2);
    }

    @Test
    void theDeadJobIsDeadAndTheHelloJobSucceeded() {
        try (Conveyor c = Conveyor.builder().broker(url).build()) {
            assertThat(c.store().get(deadId).orElseThrow().state()).isEqualTo(JobState.DEAD);
            assertThat(c.store().get(helloId).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        }
    }
}
