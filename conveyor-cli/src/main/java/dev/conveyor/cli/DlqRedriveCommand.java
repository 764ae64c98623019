package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import dev.conveyor.admin.DeadLetters;
import dev.conveyor.admin.JobFilter;
import dev.conveyor.broker.JobStore;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code conveyor dlq redrive}: dead jobs become ready again, attempts reset, errors kept. */
@Command(name = "redrive", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Runs dead jobs again.",
            "",
            "Each becomes READY now with its attempts reset; its error history is kept. Give job ids, or --all "
                    + "(optionally with --queue) for every dead job."
        },
        footer = {
            "",
            "Examples:",
            "  conveyor dlq redrive 0197a3c2-5d1e-7c4a-9f00-1b2c3d4e5f60",
            "  conveyor dlq redrive --all --queue emails",
            "  conveyor dlq redrive --all --task send_report --error Timeout --dry-run"
        })
final class DlqRedriveCommand extends BrokerCommand {

    static final class Target {
        @Parameters(paramLabel = "ID", arity = "1..*", description = "Ids of dead jobs.")
        List<String> ids;

        @Option(names = "--all", required = true, description = "Every dead job (of --queue, if given).")
        boolean all;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--queue", paramLabel = "QUEUE", description = "With --all: only dead jobs of this queue.")
    String queue;

    @Option(names = "--task", paramLabel = "TASK", description = "With --all: only dead jobs of this task.")
    String task;

    @Option(names = "--error", paramLabel = "TEXT",
            description = "With --all: only dead jobs with an error containing TEXT (type, message or stack trace).")
    String error;

    @Option(names = "--dry-run", description = "With --all: count the jobs that would be re-driven; change nothing.")
    boolean dryRun;

    @Override
    protected int run() {
        if ((queue != null || task != null || error != null || dryRun) && !target.all) {
            throw CliException.usage("--queue, --task, --error and --dry-run go with --all, not with job ids");
        }
        if (queue != null) JobsListCommand.query(JobState.DEAD, queue, null, null, 1); // validates the name
        try (Conveyor conveyor = open()) {
            JobStore store = store(conveyor);
            return target.all ? redriveAll(store) : redriveIds(store, target.ids);
        }
    }

    private int redriveAll(JobStore store) {
        // The same filter and code as the dashboard's "re-drive by filter" (dev.conveyor.admin.DeadLetters).
        JobFilter filter = new JobFilter(JobState.DEAD, queue, task, null, null, error);
        DeadLetters.Outcome outcome = DeadLetters.redrive(store, filter, dryRun);
        String which = (queue == null ? "" : " of queue '" + queue + "'") + (task == null ? "" : " of task '" + task + "'")
                + (error == null ? "" : " with an error containing '" + error + "'");
        out().println(dryRun ? "Would re-drive " + outcome.count() + " dead job(s)" + which + " (dry run: nothing changed)."
                : "Re-drove " + outcome.count() + " dead job(s)" + which + ".");
        return ExitCodes.OK;
    }

    private int redriveIds(JobStore store, List<String> ids) {
        List<String> dead = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String id : ids) {
            Optional<JobInfo> info = store.get(id);
            if (info.isEmpty()) {
                skipped.add("no job " + id);
            } else if (info.get().state() != JobState.DEAD && info.get().state() != JobState.CANCELLED) {
                skipped.add("job " + id + " is " + info.get().state() + ", not dead");
            } else {
                dead.add(id);
            }
        }
        int n = dead.isEmpty() ? 0 : store.redrive(dead);
        out().println("Re-drove " + n + " job(s).");
        for (String s : skipped) err().println("skipped: " + s);
        return skipped.isEmpty() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
