package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.Task;
import dev.conveyor.job.SensitiveFields;
import dev.conveyor.testing.TestWorker;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conveyor jobs show} prints the fields a task marks {@code sensitive} (the {@code conveyor-sensitive}
 * header of docs/PROTOCOL.md) as {@code "***"} in the args and the result, at any depth, and never their values;
 * the same job without the option shows them, so the check can see a leak.
 */
class JobsShowSensitiveTest {
    record Card(String number, String holder) {}

    record Signup(String user, String password, Card card) {}

    record Account(String user, String password) {}

    static final Task<Signup, Account> SIGNUP = Task.named("signup", Signup.class, Account.class)
            .sensitive("password", "number")
            .handler(s -> new Account(s.user(), "result-secret-" + s.user()));
    static final Task<Signup, Account> PLAIN = Task.named("plain-signup", Signup.class, Account.class)
            .handler(s -> new Account(s.user(), "result-secret-" + s.user()));

    @TempDir
    Path dir;
    String url;

    @BeforeEach
    void broker() {
        url = Cli.sqlite(dir);
    }

    @Test
    void sensitiveFieldsOfArgsAndResultAreMasked() {
        String id;
        String plain;
        try (Conveyor c = Conveyor.builder().broker(url).tasks(SIGNUP, PLAIN).build()) {
            id = c.enqueue(SIGNUP, new Signup("ada", "hunter2-arg-secret", new Card("4111-1111-1111-1111", "Ada Lovelace"))).id();
            plain = c.enqueue(PLAIN, new Signup("bob", "hunter2-arg-secret", new Card("4111-1111-1111-1111", "Bob"))).id();
            TestWorker.of(c).drain();
        }
        Cli.Result r = Cli.run("jobs", "show", id, "--broker", url);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Job " + id).contains("state:       SUCCEEDED")
                .contains(SensitiveFields.HEADER + ": password,number")
                .contains("\"user\" : \"ada\"").contains("\"holder\" : \"Ada Lovelace\"") // the rest is shown
                .contains("\"password\" : \"***\"").contains("\"number\" : \"***\"")
                .doesNotContain("hunter2").doesNotContain("4111").doesNotContain("result-secret");
        assertThat(r.out().split("\"\\*\\*\\*\"").length - 1).as("args password and number, result password").isEqualTo(3);
        assertThat(r.err()).doesNotContain("hunter2").doesNotContain("4111");

        // The control: without the option the same fields are printed, so the checks above can see a leak.
        Cli.Result shown = Cli.run("jobs", "show", plain, "--broker", url);
        assertThat(shown.exitCode()).as(shown.toString()).isZero();
        assertThat(shown.out()).contains("hunter2-arg-secret").contains("4111-1111-1111-1111").contains("result-secret-bob")
                .doesNotContain("***");
    }

    @Test
    void theHeaderSetByAnotherProducerIsHonouredToo() {
        String id;
        try (Conveyor c = Conveyor.builder().broker(url).build()) {
            // A producer in another language: raw JSON args and the header set by hand; no worker knows the task.
            id = c.enqueueJson("charge", "{\"customer\":\"c-42\",\"payment\":{\"apiKey\":\"sk-live-abcdef\"}}",
                    EnqueueOptions.defaults().header(SensitiveFields.HEADER, "apiKey")).id();
        }
        Cli.Result r = Cli.run("jobs", "show", id, "--broker", url);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("state:       READY").contains("\"customer\" : \"c-42\"")
                .contains("\"apiKey\" : \"***\"").doesNotContain("sk-live");
    }
}
