package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import dev.conveyor.broker.Brokers;
import dev.conveyor.broker.JobStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of the commands that talk to a broker: the shared options, the output streams, and opening the broker
 * with errors turned into one clear line naming the URL (password redacted).
 */
abstract class BrokerCommand implements Callable<Integer> {
    @Mixin
    BrokerOptions brokerOptions;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        String level = Logging.levelOf("dev.conveyor");
        try {
            if (brokerOptions.verbose) Logging.level("dev.conveyor", "DEBUG");
            return run();
        } finally {
            Logging.level("dev.conveyor", level); // commands may change it; tests run many in one JVM
        }
    }

    /** The command itself; returns its exit code. Throw {@link CliException} for a clean one-line failure. */
    protected abstract int run() throws Exception;

    /** The broker used when neither {@code --broker} nor {@code $CONVEYOR_BROKER} is given. */
    protected String defaultBroker() {
        return Conveyor.DEFAULT_BROKER;
    }

    final String brokerUrl() {
        return brokerOptions.url(defaultBroker());
    }

    final boolean verbose() {
        return brokerOptions.verbose;
    }

    final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    final PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Opens a Conveyor on the command's broker, with no tasks (for enqueueing by name and inspecting). */
    final Conveyor open() {
        return open(Conveyor.builder(), brokerUrl());
    }

    /** Builds {@code builder} on {@code url}; a broker that cannot be opened becomes a {@link CliException}. */
    static Conveyor open(Conveyor.Builder builder, String url) {
        try {
            return builder.broker(url).build();
        } catch (RuntimeException e) {
            throw new CliException(ExitCodes.FAILURE, cannotOpen(url, e), e);
        }
    }

    /** "cannot open broker URL: why", without repeating the URL when the broker's message starts with it. */
    static String cannotOpen(String url, Throwable e) {
        String shown = Brokers.redact(url);
        String why = Errors.message(e);
        for (String prefix : new String[] {"cannot open " + shown + ": ", shown + ": "}) {
            if (why.startsWith(prefix)) why = why.substring(prefix.length());
        }
        return "cannot open broker " + shown + ": " + why;
    }

    /** One page of a listing and the broker's clock reading when it was taken (for relative times). */
    record Listing(dev.conveyor.broker.Page<dev.conveyor.job.JobInfo> page, java.time.Instant now) {}

    /** Opens the broker, reads one page of {@code query}, closes it. */
    final Listing list(dev.conveyor.broker.JobQuery query) {
        try (Conveyor conveyor = open()) {
            return new Listing(store(conveyor).list(query), conveyor.clock().instant());
        }
    }

    /** The broker's job store, or a clear failure for a broker that keeps no job state. */
    final JobStore store(Conveyor conveyor) {
        JobStore store = conveyor.store();
        if (store == null) {
            throw CliException.failure("broker " + Brokers.redact(brokerUrl())
                    + " keeps no job state (no inspection); configure a store beside it");
        }
        return store;
    }
}
