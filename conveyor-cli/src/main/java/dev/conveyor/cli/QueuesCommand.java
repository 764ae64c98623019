package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import dev.conveyor.broker.Brokers;
import dev.conveyor.broker.QueueStats;
import dev.conveyor.job.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code conveyor queues}: jobs per queue and state, and how long the oldest ready job has waited. */
@Command(name = "queues", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Shows jobs per queue and state, and the age of the oldest ready job.",
            "",
            "The age is how long the oldest ready job has waited past its run time: the number to alert on."
        },
        footer = {"", "Example:", "  conveyor queues --broker sqlite:./conveyor-data/conveyor.db"})
final class QueuesCommand extends BrokerCommand {
    /** The states shown as columns; CANCELLED is added when a queue has any. */
    private static final List<JobState> STATES =
            List.of(JobState.READY, JobState.SCHEDULED, JobState.RUNNING, JobState.SUCCEEDED, JobState.DEAD);

    @Override
    protected int run() {
        List<QueueStats> queues;
        Instant now;
        try (Conveyor conveyor = open()) {
            queues = store(conveyor).queues().stream().sorted(Comparator.comparing(QueueStats::queue)).toList();
            now = conveyor.clock().instant();
        }
        if (queues.stream().allMatch(q -> q.counts().values().stream().allMatch(n -> n == 0))) {
            out().println("No jobs on " + Brokers.redact(brokerUrl()) + ".");
            return ExitCodes.OK;
        }
        boolean cancelled = queues.stream().anyMatch(q -> q.count(JobState.CANCELLED) > 0);
        Table table = cancelled
                ? new Table("QUEUE", "READY", "SCHEDULED", "RUNNING", "SUCCEEDED", "DEAD", "CANCELLED", "OLDEST READY")
                : new Table("QUEUE", "READY", "SCHEDULED", "RUNNING", "SUCCEEDED", "DEAD", "OLDEST READY");
        for (QueueStats q : queues) {
            Object[] row = new Object[cancelled ? 8 : 7];
            int i = 0;
            row[i++] = q.queue();
            for (JobState s : STATES) row[i++] = q.count(s);
            if (cancelled) row[i++] = q.count(JobState.CANCELLED);
            row[i] = q.oldestReadySince() == null ? "-" : Format.ageSeconds(Duration.between(q.oldestReadySince(), now));
            table.row(row);
        }
        table.print(out());
        return ExitCodes.OK;
    }
}
