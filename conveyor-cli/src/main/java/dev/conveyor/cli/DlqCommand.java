package dev.conveyor.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code conveyor dlq}: the dead-letter set (jobs in state DEAD): list, redrive, purge. */
@Command(name = "dlq", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Lists, re-drives and purges dead jobs (the dead-letter set).",
            "",
            "Dead jobs ran out of attempts, failed fatally or could not run. They stay, with their errors, "
                    + "until re-driven or purged."
        },
        subcommands = {DlqListCommand.class, DlqRedriveCommand.class, DlqPurgeCommand.class})
final class DlqCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw CliException.usage("missing subcommand: list, redrive or purge");
    }
}
