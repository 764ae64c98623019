package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import dev.conveyor.ConveyorApp;
import dev.conveyor.Task;
import java.time.Duration;

/** The app {@code conveyor worker --app dev.conveyor.cli.TestApp} runs in the tests. */
public final class TestApp implements ConveyorApp {
    public record Greet(String name) {}

    public record Fail(String why) {}

    public static final Task<Greet, String> HELLO =
            Task.named("hello", Greet.class, String.class).handler(g -> "hello " + g.name());

    /** Always fails, once: it is dead after its first run. */
    public static final Task<Fail, Void> BROKEN = Task.named("broken", Fail.class).maxAttempts(1)
            .timeout(Duration.ofSeconds(5))
            .action(f -> {
                throw new IllegalStateException("broken on purpose: " + f.why());
            });

    @Override
    public void configure(Conveyor.Builder builder) {
        builder.task(HELLO).task(BROKEN);
    }

    /** Not a ConveyorApp. */
    public static final class NotAnApp {}

    /** A ConveyorApp without a no-argument constructor. */
    public static final class NeedsArgs implements ConveyorApp {
        public NeedsArgs(String unused) {}

        @Override
        public void configure(Conveyor.Builder builder) {}
    }

    /** A ConveyorApp whose configure() throws. */
    public static final class Throws implements ConveyorApp {
        @Override
        public void configure(Conveyor.Builder builder) {
            throw new IllegalStateException("missing setting app.url");
        }
    }
}
