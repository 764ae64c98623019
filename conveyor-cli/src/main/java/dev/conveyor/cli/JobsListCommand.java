package dev.conveyor.cli;

import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.Page;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code conveyor jobs list}: one page of jobs, oldest first, with the cursor of the next page. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Lists jobs, oldest first, a page at a time.",
        footer = {
            "",
            "Examples:",
            "  conveyor jobs list --state dead --queue emails",
            "  conveyor jobs list --task send_report --limit 100 --after 0197a3c2-...  # next page"
        })
final class JobsListCommand extends BrokerCommand {
    @Option(names = "--state", paramLabel = "STATE",
            description = "Only jobs in this state: ${COMPLETION-CANDIDATES} (any case).")
    JobState state;

    @Option(names = "--queue", paramLabel = "QUEUE", description = "Only jobs of this queue.")
    String queue;

    @Option(names = "--task", paramLabel = "TASK", description = "Only jobs of this task.")
    String task;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
            description = "Jobs per page, 1-" + JobQuery.MAX_LIMIT + " (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--after", paramLabel = "CURSOR",
            description = "Start after this cursor (printed by the previous page).")
    String after;

    @Override
    protected int run() {
        JobQuery query = query(state, queue, task, after, limit);
        Listing listing = list(query);
        Page<JobInfo> page = listing.page();
        Instant now = listing.now();
        if (page.items().isEmpty()) {
            out().println(after == null ? "No jobs match." : "No more jobs.");
            return ExitCodes.OK;
        }
        Table table = new Table("ID", "TASK", "QUEUE", "STATE", "ATTEMPT", "UPDATED");
        for (JobInfo j : page.items()) {
            table.row(j.id(), j.job().task(), j.job().queue(), j.state(), j.job().attempt(),
                    Format.relative(j.updatedAt(), now));
        }
        table.print(out());
        if (page.nextCursor() != null) {
            out().println("More: add --after " + page.nextCursor());
        }
        return ExitCodes.OK;
    }

    /** Validates the filters (queue name, limit) as wrong arguments (exit 2) before any broker is opened. */
    static JobQuery query(JobState state, String queue, String task, String after, int limit) {
        try {
            if (queue != null) Job.requireQueueName(queue);
            if (task != null) Job.requireTaskName(task);
            return new JobQuery(state, queue, task, after, limit);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(Errors.message(e));
        }
    }
}
