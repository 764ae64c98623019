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
        subcommands = {QueuesCommand.Pause.class, QueuesCommand.Resume.class},
        footer = {"", "Examples:", "  conveyor queues --broker sqlite:./conveyor-data/conveyor.db",
            "  conveyor queues pause emails", "  conveyor queues resume emails"})
final class QueuesCommand extends BrokerCommand {
    /** The states shown as columns; CANCELLED is added when a queue has any. */
    private static final List<JobState> STATES =
            List.of(JobState.READY, JobState.SCHEDULED, JobState.RUNNING, JobState.SUCCEEDED, JobState.DEAD);

    @Override
    protected int run() {
        List<QueueStats> queues;
        Instant now;
        java.util.Set<String> paused;
        try (Conveyor conveyor = open()) {
            queues = store(conveyor).queues().stream().sorted(Comparator.comparing(QueueStats::queue)).toList();
            now = conveyor.clock().instant();
            paused = conveyor.broker().capabilities().contains(dev.conveyor.broker.Capability.STATE)
                    ? conveyor.pausedQueues() : java.util.Set.of();
        }
        if (queues.stream().allMatch(q -> q.counts().values().stream().allMatch(n -> n == 0))) {
            out().println("No jobs on " + Brokers.redact(brokerUrl()) + "."
                    + (paused.isEmpty() ? "" : " Paused queues: " + String.join(", ", paused) + "."));
            return ExitCodes.OK;
        }
        boolean cancelled = queues.stream().anyMatch(q -> q.count(JobState.CANCELLED) > 0);
        Table table = cancelled
                ? new Table("QUEUE", "READY", "SCHEDULED", "RUNNING", "SUCCEEDED", "DEAD", "CANCELLED", "OLDEST READY")
                : new Table("QUEUE", "READY", "SCHEDULED", "RUNNING", "SUCCEEDED", "DEAD", "OLDEST READY");
        for (QueueStats q : queues) {
            Object[] row = new Object[cancelled ? 8 : 7];
            int i = 0;
            row[i++] = paused.contains(q.queue()) ? q.queue() + " (paused)" : q.queue();
            for (JobState s : STATES) row[i++] = q.count(s);
            if (cancelled) row[i++] = q.count(JobState.CANCELLED);
            row[i] = q.oldestReadySince() == null ? "-" : Format.ageSeconds(Duration.between(q.oldestReadySince(), now));
            table.row(row);
        }
        table.print(out());
        return ExitCodes.OK;
    }

    /** {@code conveyor queues pause QUEUE}. */
    @Command(name = "pause", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Stops every worker fetching from a queue (within about a second) until resumed; "
                    + "running jobs finish, new jobs wait.")
    static final class Pause extends Toggle {
        Pause() {
            super(true);
        }
    }

    /** {@code conveyor queues resume QUEUE}. */
    @Command(name = "resume", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Lets workers fetch from a paused queue again.")
    static final class Resume extends Toggle {
        Resume() {
            super(false);
        }
    }

    abstract static class Toggle extends BrokerCommand {
        private final boolean pause;

        @picocli.CommandLine.Parameters(paramLabel = "QUEUE", description = "The queue's name.")
        String queue;

        Toggle(boolean pause) {
            this.pause = pause;
        }

        @Override
        protected int run() {
            boolean changed;
            try (Conveyor conveyor = open()) {
                try {
                    changed = pause ? conveyor.pauseQueue(queue) : conveyor.resumeQueue(queue);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw CliException.failure(Errors.message(e));
                }
            }
            out().println(pause
                    ? (changed ? "Paused queue '" + queue + "': workers stop fetching from it within a second."
                               : "Queue '" + queue + "' was already paused.")
                    : (changed ? "Resumed queue '" + queue + "'." : "Queue '" + queue + "' was not paused."));
            return ExitCodes.OK;
        }
    }
}
