package dev.conveyor.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code conveyor}: the top-level command; it only lists its subcommands. */
@Command(name = "conveyor",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        usageHelpAutoWidth = true,
        description = "Conveyor: background jobs for the JVM.",
        subcommands = {
            DemoCommand.class,
            DashboardCommand.class,
            WorkerCommand.class,
            EnqueueCommand.class,
            QueuesCommand.class,
            JobsCommand.class,
            SchedulesCommand.class,
            DlqCommand.class,
            MigrateCommand.class,
            HelpCommand.class
        },
        footer = {
            "",
            "Every command takes --broker URL; without it, $CONVEYOR_BROKER;",
            "without that, the embedded file sqlite:./conveyor-data/conveyor.db.",
            "Exit codes: 0 done; 1 failed (broker unreachable, unknown job,",
            "failed demo check); 2 wrong arguments.",
            "",
            "Start with: conveyor demo"
        })
final class ConveyorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("error: missing command");
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}
