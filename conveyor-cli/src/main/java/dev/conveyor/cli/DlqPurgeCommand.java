package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import dev.conveyor.broker.Brokers;
import dev.conveyor.broker.JobStore;
import dev.conveyor.job.JobState;
import java.io.Console;
import java.util.Locale;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code conveyor dlq purge}: deletes dead jobs for good, after asking (or with --yes). */
@Command(name = "purge", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Deletes dead jobs for good.",
            "",
            "Deletes every dead job (of --queue, if given) with its errors; this cannot be undone. Asks for "
                    + "confirmation on a terminal; elsewhere (scripts, CI) it needs --yes."
        },
        footer = {"", "Examples:", "  conveyor dlq purge --queue emails", "  conveyor dlq purge --yes"})
final class DlqPurgeCommand extends BrokerCommand {
    /** Asks a yes/no question on the terminal and returns the answer line (null at end of input). */
    @FunctionalInterface
    interface Prompt {
        String ask(String question);
    }

    /** The terminal to ask on, or null when there is none (scripts, CI). Tests replace it. */
    static Supplier<Prompt> terminal = () -> {
        Console c = Terminal.console();
        return c == null ? null : question -> c.readLine("%s", question);
    };

    @Option(names = "--queue", paramLabel = "QUEUE", description = "Only dead jobs of this queue.")
    String queue;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    protected int run() {
        if (queue != null) JobsListCommand.query(JobState.DEAD, queue, null, null, 1); // validates the name
        Prompt prompt = yes ? null : terminal.get();
        if (!yes && prompt == null) {
            throw CliException.usage("not on a terminal, so cannot ask: add --yes to purge dead jobs");
        }
        try (Conveyor conveyor = open()) {
            JobStore store = store(conveyor);
            long dead = store.queues().stream()
                    .filter(q -> queue == null || q.queue().equals(queue))
                    .mapToLong(q -> q.count(JobState.DEAD)).sum();
            String where = queue == null ? "" : " in queue '" + queue + "'";
            if (dead == 0) {
                out().println("No dead jobs" + where + ".");
                return ExitCodes.OK;
            }
            if (!yes) {
                out().flush();
                String answer = prompt.ask("Delete " + dead + " dead job(s)" + where + " on "
                        + Brokers.redact(brokerUrl()) + " for good? [y/N] ");
                if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).matches("y|yes")) {
                    out().println("Nothing deleted.");
                    return ExitCodes.OK;
                }
            }
            long purged = store.purge(JobState.DEAD, queue);
            out().println("Purged " + purged + " dead job(s)" + where + ".");
        }
        return ExitCodes.OK;
    }
}
