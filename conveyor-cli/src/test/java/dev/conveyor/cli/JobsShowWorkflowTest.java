package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.testing.TestWorker;
import dev.conveyor.workflow.Flow;
import dev.conveyor.workflow.WorkflowHandle;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jobs show} on a job of a workflow, and on a workflow id: the graph with each node's state. */
class JobsShowWorkflowTest {
    record N(int n) {}

    static final Task<N, N> PLUS = Task.named("plus", N.class, N.class).handler(a -> new N(a.n() + 1));
    static final Task<N[], Integer> TOTAL = Task.named("total", N[].class, Integer.class)
            .handler(all -> java.util.Arrays.stream(all).mapToInt(N::n).sum());

    @TempDir
    Path dir;

    @Test
    void showsTheGraphOfAJobsWorkflowAndOfAWorkflowId() {
        String url = Cli.sqlite(dir);
        String wf;
        try (Conveyor c = Conveyor.builder().broker(url).tasks(PLUS, TOTAL).build()) {
            WorkflowHandle<Integer> h = c.start(Flow.chord(java.util.List.of(Flow.step(PLUS, new N(1)),
                    Flow.step(PLUS, new N(2))), TOTAL), Integer.class);
            wf = h.id();
            TestWorker.of(c).drain();
            assertThat(h.get(Duration.ofSeconds(5))).isEqualTo(5);
        }
        Cli.Result byWorkflow = Cli.run("jobs", "show", wf, "--broker", url);
        assertThat(byWorkflow.exitCode()).as(byWorkflow.toString()).isZero();
        assertThat(byWorkflow.out()).contains("workflow " + wf + ": SUCCEEDED")
                .contains("0.0 group: 2/2 finished, 0 failed (done)")
                .contains("0.0.1 step plus: SUCCEEDED")
                .contains("0.1 step total: SUCCEEDED");

        String callbackJob = byWorkflow.out().lines().filter(l -> l.contains("0.1 step total")).findFirst().orElseThrow()
                .replaceAll(".*job ", "").trim();
        Cli.Result byJob = Cli.run("jobs", "show", callbackJob, "--broker", url);
        assertThat(byJob.exitCode()).as(byJob.toString()).isZero();
        assertThat(byJob.out()).contains("Job " + callbackJob).contains("conveyor-workflow: " + wf)
                .contains("workflow " + wf + ": SUCCEEDED");
    }
}
