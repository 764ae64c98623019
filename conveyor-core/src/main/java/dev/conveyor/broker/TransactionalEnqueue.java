package dev.conveyor.broker;

import dev.conveyor.job.Job;
import java.sql.Connection;
import java.util.List;

/**
 * Implemented by brokers that keep jobs in a SQL database: enqueue inside the caller's own transaction, so the
 * jobs exist if and only if that transaction commits (an order row and its confirmation email, together).
 */
public interface TransactionalEnqueue {
    /**
     * Stores the jobs using {@code transaction}, with the same rules as {@link Broker#enqueue}. Does not commit,
     * roll back or close it. The connection must reach the broker's own database (and schema). Workers learn
     * of the jobs when the transaction commits.
     */
    List<EnqueueResult> enqueue(Connection transaction, List<Job> jobs);
}
