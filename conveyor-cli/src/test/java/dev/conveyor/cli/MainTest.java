package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;

    @AfterEach
    void restoreEnvironment() {
        BrokerOptions.environment = System::getenv;
    }

    @Test
    void helpListsEveryCommand() {
        Cli.Result r = Cli.run("--help");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("demo", "worker", "enqueue", "queues", "jobs", "dlq", "--broker");
    }

    @Test
    void everyCommandHasHelp() {
        for (List<String> cmd : List.of(List.of("demo"), List.of("worker"), List.of("enqueue"), List.of("queues"),
                List.of("jobs"), List.of("jobs", "list"), List.of("jobs", "show"), List.of("dlq"),
                List.of("dlq", "list"), List.of("dlq", "redrive"), List.of("dlq", "purge"))) {
            String[] args = java.util.stream.Stream.concat(cmd.stream(), java.util.stream.Stream.of("--help"))
                    .toArray(String[]::new);
            Cli.Result r = Cli.run(args);
            assertThat(r.exitCode()).as(cmd + ": " + r).isZero();
            assertThat(r.out()).as(cmd.toString()).contains("Usage: conveyor " + String.join(" ", cmd));
            if (cmd.size() > 1 || !List.of("jobs", "dlq").contains(cmd.get(0))) {
                assertThat(r.out()).as(cmd.toString()).contains("--broker");
            }
        }
    }

    @Test
    void versionNamesTheBuild() {
        Cli.Result r = Cli.run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("conveyor ").contains("Java ");
    }

    @Test
    void noCommandIsAUsageError() {
        Cli.Result r = Cli.run();
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("missing command", "Usage: conveyor");
    }

    @Test
    void aMisspelledCommandGetsOneLineAndASuggestion() {
        Cli.Result r = Cli.run("qeues");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("'qeues'", "did you mean queues").contains("Try 'conveyor --help'");
        assertThat(r.err().lines()).hasSize(2);
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        Cli.Result r = Cli.run("queues", "--nope");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(2);
        assertThat(r.err()).contains("--nope").contains("Try 'conveyor queues --help'");
    }

    @Test
    void anUnknownBrokerSchemeIsOneLineNamingTheUrl() {
        Cli.Result r = Cli.run("queues", "--broker", "nosuch://db.example.com/jobs");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("error: cannot open broker nosuch://db.example.com/jobs:").doesNotContain("\tat ");
    }

    @Test
    void aBrokerUrlWithoutSchemeIsOneLine() {
        Cli.Result r = Cli.run("queues", "--broker", "localhost");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("localhost", "no scheme");
    }

    @Test
    void passwordsAreRedacted() {
        Cli.Result r = Cli.run("queues", "--broker", "postgresql://app:s3cret@127.0.0.1:1/jobs");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("postgresql://app:***@127.0.0.1:1/jobs").doesNotContain("s3cret");
    }

    @Test
    void anUnopenableSqliteFileIsOneLine() throws Exception {
        Path notADir = dir.resolve("file");
        java.nio.file.Files.writeString(notADir, "x");
        String url = "sqlite:" + notADir.resolve("sub/conveyor.db");
        Cli.Result r = Cli.run("queues", "--broker", url);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: cannot open broker " + url).doesNotContain("\tat ");
    }

    @Test
    void verboseAddsTheStackTrace() {
        Cli.Result r = Cli.run("queues", "--broker", "nosuch:x", "--verbose");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("error: cannot open broker nosuch:x").contains("\tat ");
    }

    @Test
    void theBrokerComesFromTheOptionThenTheEnvironmentThenTheDefault() {
        BrokerOptions o = new BrokerOptions();
        BrokerOptions.environment = Map.<String, String>of()::get;
        assertThat(o.url(Conveyor.DEFAULT_BROKER)).isEqualTo(Conveyor.DEFAULT_BROKER);
        assertThat(o.explicit()).isFalse();
        BrokerOptions.environment = Map.of(BrokerOptions.ENV, "memory:env")::get;
        assertThat(o.url(Conveyor.DEFAULT_BROKER)).isEqualTo("memory:env");
        assertThat(o.explicit()).isTrue();
        o.broker = "memory:option";
        assertThat(o.url(Conveyor.DEFAULT_BROKER)).isEqualTo("memory:option");
    }

    @Test
    void theEnvironmentVariableIsUsed() {
        BrokerOptions.environment = Map.of(BrokerOptions.ENV, "nosuch:from-env")::get;
        Cli.Result r = Cli.run("queues");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("nosuch:from-env");
    }
}
