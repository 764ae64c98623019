package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnqueueCommandTest {
    @TempDir
    Path dir;

    private JobInfo stored(String url, String id) {
        try (Conveyor c = Conveyor.builder().broker(url).build()) {
            return c.store().get(id).orElseThrow();
        }
    }

    @Test
    void enqueuesAndPrintsTheId() {
        String url = Cli.sqlite(dir);
        Cli.Result r = Cli.run("enqueue", "hello", "{\"name\": \"x\"}", "--broker", url);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        String id = r.out().strip();
        assertThat(id).matches("[0-9a-f-]{36}");
        JobInfo info = stored(url, id);
        assertThat(info.job().task()).isEqualTo("hello");
        assertThat(info.job().queue()).isEqualTo("default");
        assertThat(info.job().args()).isEqualTo("{\"name\":\"x\"}");
        assertThat(info.state()).isEqualTo(JobState.READY);
    }

    @Test
    void argsDefaultToAnEmptyObject() {
        String url = Cli.sqlite(dir);
        Cli.Result r = Cli.run("enqueue", "tick", "--broker", url);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(stored(url, r.out().strip()).job().args()).isEqualTo("{}");
    }

    @Test
    void takesQueueDelayPriority() {
        String url = Cli.sqlite(dir);
        Cli.Result r = Cli.run("enqueue", "hello", "{}", "--queue", "emails", "--delay", "30s", "--priority", "8",
                "--broker", url);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JobInfo info = stored(url, r.out().strip());
        assertThat(info.job().queue()).isEqualTo("emails");
        assertThat(info.job().priority()).isEqualTo(8);
        assertThat(info.state()).isEqualTo(JobState.SCHEDULED);
        assertThat(Duration.between(info.job().enqueuedAt(), info.job().runAt())).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void isoDurationsWork() {
        Cli.Result r = Cli.run("enqueue", "hello", "{}", "--delay", "PT5M", "--broker", Cli.sqlite(dir));
        assertThat(r.exitCode()).as(r.toString()).isZero();
    }

    @Test
    void aSecondEnqueueWithTheSameUniqueKeyIsADuplicate() {
        String url = Cli.sqlite(dir);
        Cli.Result first = Cli.run("enqueue", "nightly", "{}", "--unique-key", "nightly-1", "--broker", url);
        Cli.Result second = Cli.run("enqueue", "nightly", "{}", "--unique-key", "nightly-1", "--broker", url);
        assertThat(first.exitCode()).isZero();
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.out()).startsWith("duplicate of " + first.out().strip()).contains("nightly-1");
    }

    @Test
    void badJsonIsAUsageErrorSayingWhere() {
        Cli.Result r = Cli.run("enqueue", "hello", "{name: x}", "--broker", Cli.sqlite(dir));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ARGS is not valid JSON:").contains("line 1, column");
        assertThat(r.err().lines()).hasSize(2);
    }

    @Test
    void trailingGarbageAfterJsonIsRejected() {
        Cli.Result r = Cli.run("enqueue", "hello", "{} x", "--broker", Cli.sqlite(dir));
        assertThat(r.exitCode()).isEqualTo(2);
    }

    @Test
    void badJsonIsReportedBeforeTheBrokerIsOpened() {
        Cli.Result r = Cli.run("enqueue", "hello", "{", "--broker", "nosuch:x");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("not valid JSON");
    }

    @Test
    void badOptionsAreUsageErrors() {
        String url = Cli.sqlite(dir);
        assertThat(Cli.run("enqueue", "hello", "{}", "--delay", "soon", "--broker", url).exitCode()).isEqualTo(2);
        assertThat(Cli.run("enqueue", "hello", "{}", "--priority", "12", "--broker", url).exitCode()).isEqualTo(2);
        assertThat(Cli.run("enqueue", "hello", "{}", "--priority", "high", "--broker", url).exitCode()).isEqualTo(2);
        assertThat(Cli.run("enqueue", "hello", "{}", "--queue", "no spaces", "--broker", url).exitCode()).isEqualTo(2);
        assertThat(Cli.run("enqueue", "--broker", url).exitCode()).isEqualTo(2);
        assertThat(Cli.run("enqueue", "a", "{}", "extra", "--broker", url).exitCode()).isEqualTo(2);
        Cli.Result r = Cli.run("enqueue", "hello", "{}", "--delay", "soon", "--broker", url);
        assertThat(r.err()).contains("invalid duration 'soon'").contains("Try 'conveyor enqueue --help'");
    }
}
