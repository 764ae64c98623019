package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.broker.Capability;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.Outcome;
import dev.conveyor.job.JobState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link JobStore#prune}: retention deletes old finished jobs in small batches and nothing else. */
abstract class RetentionSuite extends SuiteBase {
    @BeforeEach
    void needsInspection() {
        requires(Capability.INSPECTION);
    }

    @Test
    void prunesFinishedJobsOlderThanTheCutoffOldestFirstAndNothingElse() {
        JobStore store = store();
        String q = queue();
        String old1 = finish(q, true, null);
        String old2 = finish(q, true, null);
        String held = finish(q, true, Duration.ofHours(2));   // its unique key is held for 2 h after finishing
        String deadOld = finish(q, false, null);
        String pending = enqueue(job(q).delay(Duration.ofDays(1)).build()); // unfinished, and out of the way
        clock().advance(Duration.ofHours(1));
        String recent = finish(q, true, null);
        Instant cutoff = now().minus(Duration.ofMinutes(30));

        assertThat(store.prune(JobState.SUCCEEDED, q, cutoff, 1)).as("limit respected").isEqualTo(1);
        assertThat(store.get(old1)).as("oldest first").isEmpty();
        assertThat(store.get(old2)).isPresent();
        assertThat(store.prune(JobState.SUCCEEDED, q, cutoff, 100)).isEqualTo(1);
        assertThat(store.get(old2)).isEmpty();
        assertThat(store.get(held)).as("unique key still held").isPresent();
        assertThat(store.get(recent)).as("newer than the cutoff").isPresent();
        assertThat(store.get(deadOld)).as("another state").isPresent();
        assertThat(store.get(pending)).as("unfinished").isPresent();

        clock().advance(Duration.ofHours(1)); // the hold has ended
        assertThat(store.prune(JobState.SUCCEEDED, q, cutoff, 100)).isEqualTo(1);
        assertThat(store.get(held)).isEmpty();
        assertThat(store.prune(JobState.SUCCEEDED, q, null, 100)).as("any age").isEqualTo(1);
        assertThat(store.get(recent)).isEmpty();
        assertThat(store.prune(JobState.DEAD, q, now(), 100)).isEqualTo(1);
        assertThat(store.get(deadOld)).isEmpty();
        assertThat(store.get(pending)).isPresent();
    }

    @Test
    void prunesOnlyTheGivenQueueAndRefusesUnfinishedStates() {
        JobStore store = store();
        String q1 = queue();
        String q2 = queue();
        finish(q1, true, null);
        String other = finish(q2, true, null);
        clock().advance(Duration.ofMinutes(1));
        assertThat(store.prune(JobState.SUCCEEDED, q1, now(), 100)).isEqualTo(1);
        assertThat(store.get(other)).isPresent();
        assertThatThrownBy(() -> store.prune(JobState.READY, q1, now(), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finished state");
    }

    private String finish(String q, boolean succeed, Duration uniqueFor) {
        JobSpec spec = job(q);
        if (uniqueFor != null) spec = spec.uniqueKey("k-" + Long.toHexString(System.nanoTime())).uniqueFor(uniqueFor);
        String id = enqueue(spec.build());
        LeasedJob leased = fetchOne(q);
        assertThat(leased.job().id()).isEqualTo(id);
        Outcome o = succeed ? ack(leased.lease()) : bury(leased.lease(), error(1, "dead"), true);
        assertThat(o).isEqualTo(Outcome.OK);
        return id;
    }
}
