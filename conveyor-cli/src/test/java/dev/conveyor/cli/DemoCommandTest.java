package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void quickDemoPassesItsChecksOnSqlite() {
        long start = System.nanoTime();
        Cli.Result r = Cli.run("demo", "--quick", "--broker", "sqlite:" + dir.resolve("demo.db"));
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Summary", "400 enqueued", "demo.poison: gave up after 3 attempts: cannot parse invoice",
                "Awaited result: job", "All demo checks passed");
        assertThat(r.out()).doesNotContain("\u001b["); // not a terminal: plain lines, no ANSI
        assertThat(seconds).isLessThan(20);
    }

    @Test
    void quickDemoOnTheMemoryBroker() {
        Cli.Result r = Cli.run("demo", "--quick", "--jobs", "100", "--broker", "memory:");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("100 enqueued", "All demo checks passed");
    }

    @Test
    void tooFewJobsIsAUsageError() {
        Cli.Result r = Cli.run("demo", "--jobs", "5", "--broker", "memory:");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--jobs must be between 20");
    }

    @Test
    void anUnreachableBrokerIsOneLine() {
        Cli.Result r = Cli.run("demo", "--quick", "--broker", "nosuch:x");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().lines()).hasSize(1);
    }
}
