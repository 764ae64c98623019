package dev.conveyor.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code conveyor jobs}: the parent of {@code list} and {@code show}. */
@Command(name = "jobs", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Lists jobs and shows one job in full.",
        subcommands = {JobsListCommand.class, JobsShowCommand.class})
final class JobsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw CliException.usage("missing subcommand: list or show");
    }
}
