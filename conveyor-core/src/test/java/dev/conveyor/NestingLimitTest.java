package dev.conveyor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.internal.Json;
import dev.conveyor.job.JobState;
import dev.conveyor.testing.TestWorker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The nesting limit holds at enqueue and at fetch alike: args nested deeper than {@link Json#MAX_NESTING_DEPTH}
 * are refused at enqueue with the limit named (nothing stored), and args at the limit are stored, fetched,
 * decoded and run — so no job the client accepts is refused by the worker's decoder.
 */
class NestingLimitTest {
    record Tree(List<Object> children) {}

    /** A list nested {@code depth} levels deep: [[[...]]]. */
    private static List<Object> nested(int depth) {
        List<Object> root = new ArrayList<>();
        List<Object> cur = root;
        for (int i = 1; i < depth; i++) {
            List<Object> next = new ArrayList<>();
            cur.add(next);
            cur = next;
        }
        return root;
    }

    @Test
    void argsDeeperThanTheLimitAreRefusedAtEnqueueNamingIt() {
        Task<Tree, Void> t = Task.named("tree", Tree.class).action(x -> {});
        try (Conveyor c = Conveyor.builder().broker("memory:").task(t).build()) {
            // Tree is one object level around the lists
            assertThatThrownBy(() -> c.enqueue(t, new Tree(nested(Json.MAX_NESTING_DEPTH))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot be written as JSON")
                    .hasMessageContaining("maximum allowed (" + Json.MAX_NESTING_DEPTH);
            String deep = "[".repeat(Json.MAX_NESTING_DEPTH + 1) + "]".repeat(Json.MAX_NESTING_DEPTH + 1);
            assertThatThrownBy(() -> c.enqueueJson("tree", deep, EnqueueOptions.defaults()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maximum allowed (" + Json.MAX_NESTING_DEPTH);
            assertThat(((dev.conveyor.broker.JobStore) c.broker()).queues()).isEmpty();
        }
    }

    @Test
    void argsAtTheLimitAreStoredFetchedAndRun() {
        AtomicInteger ran = new AtomicInteger();
        Task<Tree, Void> t = Task.named("tree", Tree.class).action(x -> ran.incrementAndGet());
        try (Conveyor c = Conveyor.builder().broker("memory:").task(t).build()) {
            JobHandle<Void> typed = c.enqueue(t, new Tree(nested(Json.MAX_NESTING_DEPTH - 1)));
            String json = "{\"children\":" + "[".repeat(Json.MAX_NESTING_DEPTH - 1) + "]".repeat(Json.MAX_NESTING_DEPTH - 1) + "}";
            var raw = c.enqueueJson("tree", json, EnqueueOptions.defaults());
            TestWorker.of(c).drain();
            assertThat(ran).hasValue(2);
            assertThat(typed.info().orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(raw.info().orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        }
    }
}
