package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** The options every command that talks to a broker takes: {@code --broker URL} and {@code -v/--verbose}. */
final class BrokerOptions {
    /** The environment variable read when {@code --broker} is not given. */
    static final String ENV = "CONVEYOR_BROKER";

    /** Reads the environment; tests replace it. */
    static Function<String, String> environment = System::getenv;

    @Option(names = "--broker", paramLabel = "URL",
            description = "Broker URL: sqlite:PATH, postgresql://HOST/DB, memory:, ... Default: $" + ENV
                    + ", else the embedded file (the demo uses its own):%n  " + Conveyor.DEFAULT_BROKER)
    String broker;

    @Option(names = {"-v", "--verbose"}, description = "Log more and print stack traces of errors.")
    boolean verbose;

    /** {@code --broker}, else {@code $CONVEYOR_BROKER}, else {@code fallback}. */
    String url(String fallback) {
        String env = fromEnvironment();
        return broker != null ? broker : env != null ? env : fallback;
    }

    /** True when the user chose a broker ({@code --broker} or the environment variable). */
    boolean explicit() {
        return broker != null || fromEnvironment() != null;
    }

    private static String fromEnvironment() {
        String v = environment.apply(ENV);
        return v == null || v.isBlank() ? null : v.trim();
    }
}
