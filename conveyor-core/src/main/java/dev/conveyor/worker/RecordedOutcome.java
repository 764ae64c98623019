package dev.conveyor.worker;

import dev.conveyor.broker.Outcome;
import dev.conveyor.events.JobOutcome;

/** Names how a settlement the broker answered ended, for {@link dev.conveyor.events.JobListener}s. */
final class RecordedOutcome {
    private RecordedOutcome() {}

    static JobOutcome of(Settlement settlement, Outcome answer) {
        if (answer == Outcome.STALE) return JobOutcome.REFUSED;
        return switch (settlement) {
            case Settlement.Ack a -> JobOutcome.SUCCEEDED;
            case Settlement.Retry r when r.failure().isPostponement() -> JobOutcome.POSTPONED;
            case Settlement.Retry r -> JobOutcome.RETRIED;
            case Settlement.Bury b when isCancel(b) -> JobOutcome.CANCELLED;
            case Settlement.Bury b -> JobOutcome.DEAD;
            case Settlement.Release r -> JobOutcome.RELEASED;
        };
    }

    /** True when the handler ran and threw or timed out: a failure that used an attempt. */
    static boolean handlerFailed(Settlement settlement, Outcome answer) {
        if (answer == Outcome.STALE) return false;
        return switch (settlement) {
            case Settlement.Retry r -> r.failure().countsAttempt();
            case Settlement.Bury b -> b.failure().countsAttempt();
            case Settlement.Ack a -> false;
            case Settlement.Release r -> false;
        };
    }

    static boolean isCancel(Settlement.Bury bury) {
        return "cancelled".equals(bury.failure().error().type());
    }
}
