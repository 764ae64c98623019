package dev.conveyor;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Invalid options fail at once with an IllegalArgumentException naming the field and the allowed values. */
class ValidationTest {
    record Args(int n) {}

    record Blob(String data) {}

    @Test
    void aJobOverTheEnvelopeLimitIsRefusedAtEnqueueAndNothingIsStored() {
        Task<Blob, Void> t = Task.named("blob", Blob.class).action(b -> {});
        try (Conveyor c = Conveyor.builder().broker("memory:").task(t).build()) {
            assertThatThrownBy(() -> c.enqueue(t, new Blob("x".repeat(2 * 1024 * 1024))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("the limit is " + dev.conveyor.job.JobCodec.MAX_ENVELOPE_CHARS)
                    .hasMessageContaining("object storage");
            assertThatThrownBy(() -> c.enqueue(t, new Blob("small"), EnqueueOptions.defaults()
                    .header("padding", "y".repeat(2 * 1024 * 1024))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the limit is");
            org.assertj.core.api.Assertions.assertThat(((dev.conveyor.broker.JobStore) c.broker()).queues()).isEmpty();
        }
    }

    @Test
    void negativeDelay() {
        assertThatThrownBy(() -> EnqueueOptions.defaults().delay(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("delay must be zero or positive");
    }

    @Test
    void emptyTaskName() {
        assertThatThrownBy(() -> Task.named("", Args.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("task name must not be empty");
        assertThatThrownBy(() -> Task.named("a\nb", Args.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("printable");
    }

    @Test
    void queueOutsideTheCharset() {
        for (String bad : new String[] {"", "has space", "{braces}", "x".repeat(65), "ünïcode"}) {
            assertThatThrownBy(() -> Task.named("t", Args.class).queue(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("queue must match [A-Za-z0-9_.-]{1,64}");
            assertThatThrownBy(() -> EnqueueOptions.defaults().queue(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("queue must match");
        }
    }

    @Test
    void priorityOutOfRange() {
        for (int bad : new int[] {-1, 10, 100}) {
            assertThatThrownBy(() -> Task.named("t", Args.class).priority(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("priority must be between 0 and 9 (higher runs first), was " + bad);
            assertThatThrownBy(() -> EnqueueOptions.defaults().priority(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("priority must be between 0 and 9");
        }
    }

    @Test
    void otherTaskOptions() {
        assertThatThrownBy(() -> Task.named("t", Args.class).maxAttempts(0)).hasMessageContaining("maxAttempts must be >= 1");
        assertThatThrownBy(() -> Task.named("t", Args.class).timeout(Duration.ZERO)).hasMessageContaining("timeout must be positive");
        assertThatThrownBy(() -> Task.named("t", Args.class).maxAge(Duration.ofSeconds(-5))).hasMessageContaining("maxAge must be positive");
        assertThatThrownBy(() -> Task.named("t", Args.class).unique(a -> "k", Duration.ofSeconds(-1)))
                .hasMessageContaining("uniqueFor must not be negative");
        assertThatThrownBy(() -> Task.named("t", Args.class).platformThreads(0)).hasMessageContaining("platformThreads must be >= 1");
    }

    @Test
    void workerOptions() {
        assertThatThrownBy(() -> WorkerOptions.defaults().concurrency(0)).hasMessageContaining("concurrency must be >= 1");
        assertThatThrownBy(() -> WorkerOptions.defaults().queues(new String[0])).hasMessageContaining("at least one queue");
        assertThatThrownBy(() -> WorkerOptions.defaults().queues("bad queue")).hasMessageContaining("queue must match");
        assertThatThrownBy(() -> WorkerOptions.defaults().heartbeatInterval(Duration.ofMinutes(1)))
                .hasMessageContaining("must be shorter than leaseDuration");
    }

    @Test
    void brokerUrls() {
        assertThatThrownBy(() -> Conveyor.builder().broker("nocolon")).hasMessageContaining("has no scheme");
        assertThatThrownBy(() -> Conveyor.builder().broker("kafka://x:pw@host").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no broker for 'kafka:' URLs")
                .hasMessageContaining("kafka://x:***@host")
                .hasMessageNotContaining("pw");
    }

    @Test
    void enqueueArgsThatAreNotJson() {
        Task<Object, Void> t = Task.named("weird", Object.class).action(a -> {});
        try (Conveyor c = Conveyor.builder().broker("memory:").task(t).build()) {
            Object selfReferencing = new Object() {
                public Object getMe() {
                    return this;
                }
            };
            assertThatThrownBy(() -> c.enqueue(t, selfReferencing))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("args of task 'weird' cannot be written as JSON");
        }
    }
}
