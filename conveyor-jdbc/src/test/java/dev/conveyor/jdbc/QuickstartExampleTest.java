package dev.conveyor.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quickstart, as written there (only the database path differs), so it cannot rot. */
class QuickstartExampleTest {
    record Resize(String url, int width) {}
    record Thumb(String url) {}

    static final Task<Resize, Thumb> RESIZE = Task.named("resize", Resize.class, Thumb.class)
            .maxAttempts(5)
            .timeout(Duration.ofMinutes(2))
            .handler(args -> new Thumb(args.url() + "?w=" + args.width()));

    @TempDir
    Path dir;

    @Test
    void quickstartRunsAsDocumented() {
        try (Conveyor conveyor = Conveyor.builder()
                .broker("sqlite:" + dir.resolve("conveyor.db"))
                .task(RESIZE)
                .build()) {
            JobHandle<Thumb> job = conveyor.enqueue(RESIZE, new Resize("cat.png", 200));
            conveyor.startWorker(WorkerOptions.defaults().shutdownOnSigterm(false));
            assertThat(job.await(Duration.ofSeconds(30))).isEqualTo(new Thumb("cat.png?w=200"));
        }
    }

    @Test
    void aSecondProcessCanAwaitTheResultThroughTheStore() {
        String url = "sqlite:" + dir.resolve("shared.db");
        try (Conveyor producer = Conveyor.builder().broker(url).task(RESIZE).build();
             Conveyor worker = Conveyor.builder().broker(url).task(RESIZE).build()) {
            JobHandle<Thumb> job = producer.enqueue(RESIZE, new Resize("dog.png", 64));
            worker.startWorker(WorkerOptions.defaults().shutdownOnSigterm(false));
            // A third instance that only knows the id, as another process would.
            try (Conveyor reader = Conveyor.builder().broker(url).build()) {
                assertThat(reader.handle(RESIZE, job.id()).await(Duration.ofSeconds(30))).isEqualTo(new Thumb("dog.png?w=64"));
            }
        }
    }
}
