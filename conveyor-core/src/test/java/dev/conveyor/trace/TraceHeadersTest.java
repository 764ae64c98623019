package dev.conveyor.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The W3C trace context set at enqueue reaches the handler through its JobContext. */
class TraceHeadersTest {
    static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    static final String OTHER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    record Args(int n) {}

    @Test
    void aPropagatedTraceparentIsVisibleToTheHandlerAndTheCallersHeaderWins() {
        Task<Args, String> echo = Task.named("echo", Args.class, String.class)
                .handler((a, ctx) -> ctx.headers().get(TraceHeaders.TRACEPARENT) + " "
                        + ctx.headers().get(TraceHeaders.TRACESTATE));
        try (Conveyor c = Conveyor.builder().broker("memory:").task(echo)
                .headerPropagator(TraceHeaders.fixed(PARENT, "congo=t61rcWkgMzE")).build()) {
            JobHandle<String> propagated = c.enqueue(echo, new Args(1));
            JobHandle<String> explicit = c.enqueue(echo, new Args(2),
                    EnqueueOptions.defaults().header(TraceHeaders.TRACEPARENT, OTHER));
            c.startWorker(WorkerOptions.defaults().shutdownOnSigterm(false));
            assertThat(propagated.await(Duration.ofSeconds(10))).isEqualTo(PARENT + " congo=t61rcWkgMzE");
            assertThat(explicit.await(Duration.ofSeconds(10))).isEqualTo(OTHER + " congo=t61rcWkgMzE");
        }
    }

    @Test
    void checksTheTraceparentForm() {
        assertThat(TraceHeaders.isTraceparent(PARENT)).isTrue();
        assertThat(TraceHeaders.isTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).isFalse();
        assertThat(TraceHeaders.isTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).isFalse();
        assertThat(TraceHeaders.isTraceparent("garbage")).isFalse();
        assertThatThrownBy(() -> TraceHeaders.fixed("garbage", null)).hasMessageContaining("not a W3C traceparent");
        assertThat(TraceHeaders.fixed(PARENT, null).headers()).isEqualTo(Map.of(TraceHeaders.TRACEPARENT, PARENT));
    }
}
