package dev.conveyor.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a worker process: it stops fetching, lets a job that ends within the grace period finish, and
 * hands back the one that would not, without using an attempt, so another worker can take it at once.
 */
class SigtermShutdownTest {
    @TempDir
    Path dir;

    @Test
    void sigtermFinishesShortJobsAndHandsBackLongOnes() throws Exception {
        String url = "sqlite:" + dir.resolve("sigterm.db");
        Task<SigtermChild.Sleep, Void> sleep = Task.named(SigtermChild.TASK, SigtermChild.Sleep.class).action(a -> {});
        Path out = dir.resolve("child.out");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SigtermChild.class.getName(), url, "1500")
                .redirectOutput(out.toFile()).redirectError(dir.resolve("child.err").toFile()).start();
        try (Conveyor producer = Conveyor.builder().broker(url).task(sleep).build()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(out) && Files.readString(out).contains("READY"));
            JobHandle<Void> shortJob = producer.enqueue(sleep, new SigtermChild.Sleep(700));
            JobHandle<Void> longJob = producer.enqueue(sleep, new SigtermChild.Sleep(120_000));
            await().atMost(Duration.ofSeconds(30)).until(() -> shortJob.state() == JobState.RUNNING
                    && longJob.state() == JobState.RUNNING);

            child.destroy(); // SIGTERM
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("worker exits after its grace period").isTrue();

            assertThat(shortJob.state()).isEqualTo(JobState.SUCCEEDED);
            JobInfo handedBack = longJob.info().orElseThrow();
            assertThat(handedBack.state()).isEqualTo(JobState.READY);
            assertThat(handedBack.job().attempt()).isZero();
            assertThat(handedBack.job().deliveries()).isZero();
            assertThat(handedBack.errors()).isEmpty();
        } finally {
            child.destroyForcibly();
        }
    }
}
