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

    @Test
    void aSucceededJobWithItsOwnKeepTimeGoesWhenItHasPassedAndNeverBefore() {
        JobStore store = store();
        String q = queue();
        String brief = finish(keeping(job(q), Duration.ofMinutes(10)), true);
        String week = finish(keeping(job(q), Duration.ofDays(7)), true);
        String zero = finish(keeping(job(q), Duration.ZERO), true);
        String plain = finish(q, true, null);
        String deadKeeping = finish(keeping(job(q), Duration.ofMinutes(10)), false);
        assertThat(store.get(week).orElseThrow().result()).as("the result is there to read").isEqualTo("{\"ok\":true}");

        // A cutoff that takes nothing by age: the zero keep time goes at once, nothing else.
        assertThat(store.prune(JobState.SUCCEEDED, q, Instant.EPOCH, 100)).isEqualTo(1);
        assertThat(store.get(zero)).isEmpty();
        clock().advance(Duration.ofMinutes(11));
        assertThat(store.prune(JobState.SUCCEEDED, q, Instant.EPOCH, 100)).as("its own time passed").isEqualTo(1);
        assertThat(store.get(brief)).isEmpty();
        assertThat(store.get(plain)).isPresent();

        // An age cutoff past every finish: the plain job goes, the week-long one stays; so with no cutoff at all
        // (a count limit), which never takes a job before its own time.
        assertThat(store.prune(JobState.SUCCEEDED, q, now(), 100)).isEqualTo(1);
        assertThat(store.get(plain)).isEmpty();
        assertThat(store.prune(JobState.SUCCEEDED, q, null, 100)).isZero();
        assertThat(store.get(week)).isPresent();
        assertThat(store.prune(JobState.DEAD, q, Instant.EPOCH, 100)).as("dead jobs follow the cutoff").isZero();
        assertThat(store.prune(JobState.DEAD, q, now(), 100)).isEqualTo(1);
        assertThat(store.get(deadKeeping)).isEmpty();

        clock().advance(Duration.ofDays(7));
        assertThat(store.prune(JobState.SUCCEEDED, q, Instant.EPOCH, 100)).isEqualTo(1);
        assertThat(store.get(week)).isEmpty();
        assertThat(store.queues().stream().filter(s -> s.queue().equals(q)).mapToLong(s -> s.count(JobState.SUCCEEDED)).sum())
                .isZero();
    }

    @Test
    void theCountLimitsPrunePassesOverJobsKeptLongerWithoutStalling() {
        JobStore store = store();
        String q = queue();
        java.util.List<String> kept = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) kept.add(finish(keeping(job(q), Duration.ofDays(1)), true));
        String plain1 = finish(q, true, null);
        String plain2 = finish(q, true, null);
        clock().advance(Duration.ofMinutes(1));
        // any age, oldest first: the two plain jobs go although the kept ones finished before them
        assertThat(store.prune(JobState.SUCCEEDED, q, null, 2)).isEqualTo(2);
        assertThat(store.get(plain1)).isEmpty();
        assertThat(store.get(plain2)).isEmpty();
        assertThat(kept).allSatisfy(id -> assertThat(store.get(id)).isPresent());
    }

    private static JobSpec keeping(JobSpec spec, Duration keep) {
        return spec.headers(java.util.Map.of(dev.conveyor.job.Job.KEEP_RESULT_HEADER, Long.toString(keep.toMillis())));
    }

    private String finish(JobSpec spec, boolean succeed) {
        String id = enqueue(spec.build());
        LeasedJob leased = fetchOne(spec.queue());
        assertThat(leased.job().id()).isEqualTo(id);
        Outcome o = succeed ? ack(leased.lease(), "{\"ok\":true}") : bury(leased.lease(), error(1, "dead"), true);
        assertThat(o).isEqualTo(Outcome.OK);
        return id;
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
