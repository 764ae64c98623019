package dev.conveyor.cli;

import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.Page;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code conveyor dlq list}: dead jobs with why they died. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Lists dead jobs, oldest first, with the reason each one died.",
        footer = {"", "Example:", "  conveyor dlq list --queue emails --limit 50"})
final class DlqListCommand extends BrokerCommand {
    /** Longest reason shown in the table; `conveyor jobs show ID` has all of it. */
    private static final int REASON_WIDTH = 80;

    @Option(names = "--queue", paramLabel = "QUEUE", description = "Only dead jobs of this queue.")
    String queue;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
            description = "Jobs per page, 1-" + JobQuery.MAX_LIMIT + " (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--after", paramLabel = "CURSOR",
            description = "Start after this cursor (printed by the previous page).")
    String after;

    @Override
    protected int run() {
        JobQuery query = JobsListCommand.query(JobState.DEAD, queue, null, after, limit);
        Listing listing = list(query);
        Page<JobInfo> page = listing.page();
        Instant now = listing.now();
        if (page.items().isEmpty()) {
            out().println(after != null ? "No more dead jobs."
                    : queue == null ? "No dead jobs." : "No dead jobs in queue '" + queue + "'.");
            return ExitCodes.OK;
        }
        Table table = new Table("ID", "TASK", "QUEUE", "ATTEMPTS", "DIED", "REASON");
        for (JobInfo j : page.items()) {
            table.row(j.id(), j.job().task(), j.job().queue(), j.job().attempt(),
                    Format.relative(j.finishedAt() != null ? j.finishedAt() : j.updatedAt(), now), reason(j));
        }
        table.print(out());
        if (page.nextCursor() != null) out().println("More: add --after " + page.nextCursor());
        out().println("Details: conveyor jobs show ID. Run again: conveyor dlq redrive ID… (or --all).");
        return ExitCodes.OK;
    }

    private static String reason(JobInfo j) {
        String r = j.deadReason() != null ? j.deadReason() : j.lastError() != null ? j.lastError().message() : "-";
        r = Errors.oneLine(r);
        return r.length() <= REASON_WIDTH ? r : r.substring(0, REASON_WIDTH - 1) + "…";
    }
}
