package dev.conveyor.broker;

import java.util.Objects;

/**
 * The answer to one job of an {@link Broker#enqueue} batch.
 *
 * @param id        the id of the job that now stands for this request: the new job's id, or, when
 *                  {@code duplicate}, the id of the existing job that holds the same unique key or id
 * @param duplicate true when no new job was created
 */
public record EnqueueResult(String id, boolean duplicate) {
    public EnqueueResult {
        Objects.requireNonNull(id, "id");
    }
}
