package dev.conveyor.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code conveyor jobs}: the parent of {@code list}, {@code show} and {@code cancel}. */
@Command(name = "jobs", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Lists jobs, shows one job in full, cancels jobs.",
        subcommands = {JobsListCommand.class, JobsShowCommand.class, JobsCancelCommand.class})
final class JobsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw CliException.usage("missing subcommand: list, show or cancel");
    }
}
