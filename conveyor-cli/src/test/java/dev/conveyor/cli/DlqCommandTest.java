package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.testing.TestWorker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DlqCommandTest {
    @TempDir
    Path dir;
    String url;
    final List<String> dead = new ArrayList<>();
    String succeeded;
    private final Supplier<DlqPurgeCommand.Prompt> realTerminal = DlqPurgeCommand.terminal;

    @BeforeEach
    void fill() {
        url = Cli.sqlite(dir);
        try (Conveyor c = Conveyor.builder().broker(url).tasks(TestApp.HELLO, TestApp.BROKEN).build()) {
            for (int i = 0; i < 3; i++) dead.add(c.enqueue(TestApp.BROKEN, new TestApp.Fail("n" + i)).id());
            dead.add(c.enqueue(TestApp.BROKEN, new TestApp.Fail("other queue"), EnqueueOptions.defaults().queue("q2")).id());
            succeeded = c.enqueue(TestApp.HELLO, new TestApp.Greet("x")).id();
            TestWorker.of(c).drain("default", "q2");
        }
    }

    @AfterEach
    void restoreTerminal() {
        DlqPurgeCommand.terminal = realTerminal;
    }

    private JobState state(String id) {
        try (Conveyor c = Conveyor.builder().broker(url).build()) {
            return c.store().get(id).map(JobInfo::state).orElse(null);
        }
    }

    @Test
    void listShowsDeadJobsWithTheirReason() {
        Cli.Result r = Cli.run("dlq", "list", "--broker", url);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains(dead.get(0), dead.get(3), "broken on purpose: n0").doesNotContain(succeeded);
        Cli.Result q2 = Cli.run("dlq", "list", "--queue", "q2", "--broker", url);
        assertThat(q2.out()).contains(dead.get(3)).doesNotContain(dead.get(0));
        Cli.Result none = Cli.run("dlq", "list", "--queue", "nothing-here", "--broker", url);
        assertThat(none.out()).contains("No dead jobs in queue 'nothing-here'");
    }

    @Test
    void redriveByIdMakesThemReady() {
        Cli.Result r = Cli.run("dlq", "redrive", dead.get(0), dead.get(1), "--broker", url);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Re-drove 2 job(s)");
        assertThat(state(dead.get(0))).isEqualTo(JobState.READY);
        assertThat(state(dead.get(2))).isEqualTo(JobState.DEAD);
    }

    @Test
    void redriveOfJobsThatAreNotDeadSaysWhichAndFails() {
        Cli.Result r = Cli.run("dlq", "redrive", dead.get(0), succeeded, "0190aaaa-0000-7000-8000-000000000000",
                "--broker", url);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("Re-drove 1 job(s)");
        assertThat(r.err()).contains("job " + succeeded + " is SUCCEEDED, not dead", "no job 0190aaaa");
    }

    @Test
    void redriveAllOfOneQueue() {
        Cli.Result r = Cli.run("dlq", "redrive", "--all", "--queue", "q2", "--broker", url);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Re-drove 1 dead job(s) of queue 'q2'");
        assertThat(state(dead.get(3))).isEqualTo(JobState.READY);
        assertThat(state(dead.get(0))).isEqualTo(JobState.DEAD);
    }

    @Test
    void redriveAll() {
        Cli.Result r = Cli.run("dlq", "redrive", "--all", "--broker", url);
        assertThat(r.out()).contains("Re-drove 4 dead job(s)");
        dead.forEach(id -> assertThat(state(id)).isEqualTo(JobState.READY));
    }

    @Test
    void redriveAllWithADryRunCountsTheSameFilterItWouldRedrive() {
        Cli.Result dry = Cli.run("dlq", "redrive", "--all", "--error", "OTHER QUEUE", "--dry-run", "--broker", url);
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("Would re-drive 1 dead job(s) with an error containing 'OTHER QUEUE' (dry run");
        assertThat(state(dead.get(3))).isEqualTo(JobState.DEAD);
        Cli.Result r = Cli.run("dlq", "redrive", "--all", "--task", TestApp.BROKEN.name(), "--error", "n1", "--broker", url);
        assertThat(r.out()).contains("Re-drove 1 dead job(s) of task '" + TestApp.BROKEN.name() + "'");
        assertThat(state(dead.get(1))).isEqualTo(JobState.READY);
        assertThat(state(dead.get(0))).isEqualTo(JobState.DEAD);
        assertThat(Cli.run("dlq", "redrive", dead.get(0), "--dry-run", "--broker", url).exitCode()).isEqualTo(2);
    }

    @Test
    void redriveNeedsIdsOrAllButNotBoth() {
        assertThat(Cli.run("dlq", "redrive", "--broker", url).exitCode()).isEqualTo(2);
        assertThat(Cli.run("dlq", "redrive", "--all", dead.get(0), "--broker", url).exitCode()).isEqualTo(2);
        assertThat(Cli.run("dlq", "redrive", dead.get(0), "--queue", "q2", "--broker", url).exitCode()).isEqualTo(2);
        assertThat(state(dead.get(0))).isEqualTo(JobState.DEAD);
    }

    @Test
    void purgeWithoutATerminalNeedsYes() {
        DlqPurgeCommand.terminal = () -> null;
        Cli.Result r = Cli.run("dlq", "purge", "--broker", url);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("add --yes");
        assertThat(state(dead.get(0))).isEqualTo(JobState.DEAD);
    }

    @Test
    void purgeWithYesDeletesDeadJobsOnly() {
        Cli.Result r = Cli.run("dlq", "purge", "--queue", "default", "--yes", "--broker", url);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Purged 3 dead job(s) in queue 'default'");
        assertThat(state(dead.get(0))).isNull();
        assertThat(state(dead.get(3))).isEqualTo(JobState.DEAD);
        assertThat(state(succeeded)).isEqualTo(JobState.SUCCEEDED);
        Cli.Result again = Cli.run("dlq", "purge", "--queue", "default", "--yes", "--broker", url);
        assertThat(again.out()).contains("No dead jobs in queue 'default'");
    }

    @Test
    void purgeOnATerminalAsksFirst() {
        List<String> questions = new ArrayList<>();
        DlqPurgeCommand.terminal = () -> q -> {
            questions.add(q);
            return "n";
        };
        Cli.Result no = Cli.run("dlq", "purge", "--broker", url);
        assertThat(no.exitCode()).isZero();
        assertThat(no.out()).contains("Nothing deleted");
        assertThat(questions).singleElement().asString().contains("Delete 4 dead job(s)");
        assertThat(state(dead.get(0))).isEqualTo(JobState.DEAD);

        DlqPurgeCommand.terminal = () -> q -> "y";
        Cli.Result yes = Cli.run("dlq", "purge", "--broker", url);
        assertThat(yes.out()).contains("Purged 4 dead job(s)");
        assertThat(state(dead.get(3))).isNull();
    }
}
