package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.Task;
import dev.conveyor.testing.TestWorker;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conveyor jobs show} says how long a job with its own keep time is kept; a job without one says nothing. */
class JobsShowKeepTest {
    record Month(int n) {}

    static final Task<Month, String> REPORT = Task.named("monthly-report", Month.class, String.class)
            .keepResultFor(Duration.ofDays(30)).handler(m -> "report " + m.n());

    @TempDir
    Path dir;

    @Test
    void showsTheKeepTimeBeforeAndAfterTheJobSucceeds() {
        String url = Cli.sqlite(dir);
        String done;
        String waiting;
        String plain;
        try (Conveyor c = Conveyor.builder().broker(url).tasks(REPORT).build()) {
            done = c.enqueue(REPORT, new Month(1)).id();
            TestWorker.of(c).drain();
            waiting = c.enqueue(REPORT, new Month(2), EnqueueOptions.defaults().keepResultFor(Duration.ofHours(6))).id();
            plain = c.enqueueJson("some.other.task", "{}", EnqueueOptions.defaults()).id();
        }
        Cli.Result r = Cli.run("jobs", "show", done, "--broker", url);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("kept:").contains("(its own keep time, 30d)").contains("until ");
        Cli.Result w = Cli.run("jobs", "show", waiting, "--broker", url);
        assertThat(w.out()).contains("6h after it succeeds (its own keep time)");
        Cli.Result p = Cli.run("jobs", "show", plain, "--broker", url);
        assertThat(p.exitCode()).as(p.toString()).isZero();
        assertThat(p.out()).doesNotContain("kept:");
    }
}
