package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.job.JobState;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobsCancelCommandTest {
    @TempDir
    Path dir;

    @Test
    void cancelsPendingJobsAndSaysWhatHappenedToEachId() {
        String url = Cli.sqlite(dir);
        String pending;
        String delayed;
        try (Conveyor c = Conveyor.builder().broker(url).task(TestApp.HELLO).build()) {
            pending = c.enqueue(TestApp.HELLO, new TestApp.Greet("a")).id();
            delayed = c.enqueue(TestApp.HELLO, new TestApp.Greet("b"), EnqueueOptions.defaults().delay(Duration.ofHours(1))).id();
        }
        Cli.Result r = Cli.run("jobs", "cancel", pending, delayed, "--broker", url);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains(pending + ": cancelled", delayed + ": cancelled");
        try (Conveyor c = Conveyor.builder().broker(url).build()) {
            assertThat(c.store().get(pending).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        }
        Cli.Result again = Cli.run("jobs", "cancel", pending, "01890000-0000-7000-8000-000000000000", "--broker", url);
        assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(again.out()).contains("already finished", "not found");
        assertThat(Cli.run("jobs", "show", pending, "--broker", url).out()).contains("CANCELLED: cancelled");
    }
}
