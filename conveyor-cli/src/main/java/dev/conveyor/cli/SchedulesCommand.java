package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import dev.conveyor.broker.Brokers;
import dev.conveyor.broker.Capability;
import dev.conveyor.broker.StateStore;
import dev.conveyor.schedule.ScheduleState;
import dev.conveyor.schedule.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code conveyor schedules}: every cron schedule the workers run, with its last and next fire times. */
@Command(name = "schedules", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Lists cron schedules with their last and next fire times; pauses and resumes them.",
            "",
            "Schedules are defined in code (Conveyor.builder().schedule(...)) or in a file given to "
                    + "`conveyor worker --schedules`; a schedule appears here once a worker running it has started. "
                    + "A schedule whose next fire time is well past has no scheduler running it."
        },
        subcommands = {SchedulesCommand.Pause.class, SchedulesCommand.Resume.class},
        footer = {"", "Examples:", "  conveyor schedules", "  conveyor schedules pause nightly-report",
            "  conveyor schedules resume nightly-report"})
final class SchedulesCommand extends BrokerCommand {
    /** A next fire time this far past means no scheduler is running the schedule. */
    private static final Duration ORPHANED_AFTER = Duration.ofMinutes(2);

    @Override
    protected int run() {
        Map<String, ScheduleState> all;
        Instant now;
        try (Conveyor conveyor = open()) {
            all = Scheduler.list(state(conveyor, brokerUrl()));
            now = conveyor.clock().instant();
        }
        if (all.isEmpty()) {
            out().println("No schedules on " + Brokers.redact(brokerUrl()) + " (none has run in a worker yet).");
            return ExitCodes.OK;
        }
        Table table = new Table("NAME", "CRON", "ZONE", "TASK", "STATE", "LAST FIRE", "NEXT FIRE", "FIRED", "SKIPPED");
        all.forEach((name, s) -> {
            Instant next = s.nextInstant();
            String state = s.paused() ? "paused"
                    : next != null && next.plus(ORPHANED_AFTER).isBefore(now) ? "no scheduler" : "active";
            table.row(name, s.cron(), s.zone(), s.task(), state,
                    s.lastFire() == null ? "-" : Format.time(Instant.ofEpochMilli(s.lastFire())),
                    s.paused() || next == null ? "-" : Format.time(next) + " (" + Format.relative(next, now) + ")",
                    s.fired(), s.skipped());
        });
        table.print(out());
        return ExitCodes.OK;
    }

    static StateStore state(Conveyor conveyor, String url) {
        if (!(conveyor.broker() instanceof StateStore s) || !conveyor.broker().capabilities().contains(Capability.STATE)) {
            throw CliException.failure("broker " + Brokers.redact(url) + " keeps no shared state (capability STATE), "
                    + "so it cannot run schedules");
        }
        return s;
    }

    /** {@code conveyor schedules pause NAME}. */
    @Command(name = "pause", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Stops a schedule's ticks in every worker until resumed.")
    static final class Pause extends Toggle {
        Pause() {
            super(true);
        }
    }

    /** {@code conveyor schedules resume NAME}. */
    @Command(name = "resume", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Resumes a paused schedule from now on (ticks missed while paused are not run).")
    static final class Resume extends Toggle {
        Resume() {
            super(false);
        }
    }

    abstract static class Toggle extends BrokerCommand {
        private final boolean pause;

        @picocli.CommandLine.Parameters(paramLabel = "NAME", description = "The schedule's name.")
        String name;

        Toggle(boolean pause) {
            this.pause = pause;
        }

        @Override
        protected int run() {
            try (Conveyor conveyor = open()) {
                if (!Scheduler.setPaused(state(conveyor, brokerUrl()), name, pause, conveyor.clock().instant())) {
                    throw CliException.failure("no schedule named '" + name + "' on " + Brokers.redact(brokerUrl())
                            + "; `conveyor schedules` lists them");
                }
            }
            out().println((pause ? "Paused" : "Resumed") + " schedule '" + name + "'"
                    + (pause ? "; no worker enqueues its ticks until `conveyor schedules resume " + name + "`."
                    : "; its next tick runs as usual."));
            return ExitCodes.OK;
        }
    }
}
