package dev.conveyor.worker;

import dev.conveyor.broker.Completion;
import dev.conveyor.broker.Failure;
import dev.conveyor.broker.Lease;

/** How a run ended, as the one broker call that records it. The completer batches these. */
public sealed interface Settlement {
    Lease lease();

    /** Succeeded: {@code Broker.ack}. */
    record Ack(Completion completion) implements Settlement {
        public Lease lease() {
            return completion.lease();
        }
    }

    /** Failed, will run again: {@code Broker.retry}. */
    record Retry(Failure failure) implements Settlement {
        public Lease lease() {
            return failure.lease();
        }
    }

    /** Failed for good: {@code Broker.bury}. */
    record Bury(Failure failure) implements Settlement {
        public Lease lease() {
            return failure.lease();
        }
    }

    /** Handed back unrun at shutdown: {@code Broker.release}. */
    record Release(Lease lease) implements Settlement {}
}
