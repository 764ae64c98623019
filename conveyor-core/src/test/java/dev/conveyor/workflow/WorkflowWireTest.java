package dev.conveyor.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.internal.Json;
import dev.conveyor.job.Job;
import dev.conveyor.testing.SettableClock;
import dev.conveyor.testing.TestWorker;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The workflow data that travels through the broker (headers, group states) read back strictly, and a
 * workflow run with {@link TestWorker} on the memory broker, as a user's own test would.
 */
class WorkflowWireTest {
    private static final ObjectMapper JSON = Json.mapper();

    record N(int n) {}

    static final Task<N, N> TWICE = Task.named("twice", N.class, N.class).handler(a -> new N(a.n() * 2));
    static final Task<N[], Integer> ADD = Task.named("add", N[].class, Integer.class)
            .handler(all -> Arrays.stream(all).mapToInt(N::n).sum());

    private static Job job(Map<String, String> headers) {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        return new Job("0190aaaa-0000-7000-8000-000000000001", "twice", "default", "{}", headers, 5, 0, 0, 3, 3, t, t,
                null, null, null, null, null, null);
    }

    @Test
    void headersRoundTrip() {
        List<WorkflowLink.Frame> next = List.of(
                new WorkflowLink.ChainRest("0.1", 2, (com.fasterxml.jackson.databind.node.ArrayNode)
                        JSON.createArrayNode().add(JSON.createObjectNode().put("task", "add").put("queue", "default"))),
                new WorkflowLink.Member("0", 7));
        WorkflowLink link = WorkflowLink.of(job(WorkflowLink.headers("wf-1", "0.1.1", next, JSON)), JSON);
        assertThat(link.workflowId()).isEqualTo("wf-1");
        assertThat(link.node()).isEqualTo("0.1.1");
        assertThat(link.next()).hasSize(2).element(1).isEqualTo(new WorkflowLink.Member("0", 7));
        assertThat(WorkflowLink.of(job(Map.of()), JSON)).as("not a workflow job").isNull();
    }

    @Test
    void malformedHeadersAreRefusedNamingTheHeader() {
        assertThatThrownBy(() -> WorkflowLink.of(job(Map.of("conveyor-workflow", "x y")), JSON))
                .isInstanceOf(WorkflowFormatException.class).hasMessageContaining("header conveyor-workflow");
        assertThatThrownBy(() -> WorkflowLink.of(job(Map.of("conveyor-workflow", "w", "conveyor-workflow-node", "0..1")), JSON))
                .hasMessageContaining("header conveyor-workflow-node");
        assertThatThrownBy(() -> WorkflowLink.of(job(Map.of("conveyor-workflow", "w", "conveyor-workflow-node", "0",
                "conveyor-workflow-next", "[{\"chain\":\"0\",\"at\":0,\"rest\":[]}]")), JSON))
                .hasMessageContaining("conveyor-workflow-next[0]").hasMessageContaining("\"at\" >= 1");
        assertThatThrownBy(() -> WorkflowLink.of(job(Map.of("conveyor-workflow", "w", "conveyor-workflow-node", "0",
                "conveyor-workflow-next", "[{\"chain\":\"0\",\"at\":1,\"rest\":[{\"task\":\"t\",\"queue\":\"no spaces\"}]}]")), JSON))
                .hasMessageContaining("rest[0]").hasMessageContaining("queue must match");
        assertThatThrownBy(() -> WorkflowLink.of(job(Map.of("conveyor-workflow", "w", "conveyor-workflow-node", "0",
                "conveyor-workflow-next", "{not json")), JSON))
                .hasMessageContaining("is not valid JSON");
    }

    @Test
    void groupStateCountsEachMemberOnceAndClosesOnAFailureUnderFail() {
        GroupState g = GroupState.open(3, Flow.OnFailure.FAIL, List.of());
        GroupState one = GroupState.parse(g.finish(1, false).toJson(JSON), "test");
        assertThat(one.isDone(1)).isTrue();
        assertThat(one.finished()).isEqualTo(1);
        GroupState failed = one.finish(2, true);
        assertThat(failed.closedBy()).isEqualTo(2);
        assertThat(failed.complete()).isFalse();
        assertThatThrownBy(() -> GroupState.parse("{\"size\":2,\"done\":\"Bw==\",\"finished\":3,\"failed\":0,\"next\":[]}", "s"))
                .hasMessageContaining("s is not a group state");
    }

    @Test
    void aChordRunsUnderTheTestWorker() {
        SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        try (Conveyor c = Conveyor.builder().broker("memory:").clock(clock).tasks(TWICE, ADD).build()) {
            WorkflowHandle<Integer> h = c.start(Flow.chord(List.of(Flow.step(TWICE, new N(1)), Flow.step(TWICE, new N(2))), ADD),
                    Integer.class);
            TestWorker.of(c).drain();
            assertThat(h.get(Duration.ofSeconds(1))).isEqualTo(6);
            assertThat(c.workflows().graph(h.id()).render()).contains("0.0 group: 2/2 finished, 0 failed (done)");
        }
    }

    @Test
    void anEmptyGroupFinishesAtOnceWithAnEmptyArray() {
        SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        try (Conveyor c = Conveyor.builder().broker("memory:").clock(clock).tasks(TWICE).build()) {
            assertThat(c.start(Flow.group(List.of()), N[].class).getList(Duration.ofSeconds(1), N.class)).isEmpty();
        }
    }
}
