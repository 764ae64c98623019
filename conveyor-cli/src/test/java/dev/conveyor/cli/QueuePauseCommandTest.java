package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueuePauseCommandTest {
    @TempDir
    Path dir;

    @Test
    void pausesAndResumesAQueueForEveryWorkerAndShowsIt() {
        String url = Cli.sqlite(dir);
        try (Conveyor c = Conveyor.builder().broker(url).task(TestApp.HELLO).build()) {
            c.enqueue(TestApp.HELLO, new TestApp.Greet("x"));
        }
        Cli.Result pause = Cli.run("queues", "pause", "default", "--broker", url);
        assertThat(pause.exitCode()).as(pause.toString()).isZero();
        assertThat(pause.out()).contains("Paused queue 'default'");
        assertThat(Cli.run("queues", "pause", "default", "--broker", url).out()).contains("already paused");
        assertThat(Cli.run("queues", "--broker", url).out()).contains("default (paused)");
        try (Conveyor c = Conveyor.builder().broker(url).build()) {
            assertThat(c.pausedQueues()).containsExactly("default");
        }
        assertThat(Cli.run("queues", "resume", "default", "--broker", url).out()).contains("Resumed queue 'default'");
        assertThat(Cli.run("queues", "--broker", url).out()).doesNotContain("(paused)");

        Cli.Result bad = Cli.run("queues", "pause", "no spaces allowed", "--broker", url);
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(bad.err()).contains("queue");
    }
}
