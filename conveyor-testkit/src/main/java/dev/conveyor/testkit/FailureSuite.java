package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.broker.Capability;
import dev.conveyor.broker.Failure;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.Outcome;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failed runs: retry at runAt with history, bury to the dead set, and the operator's redrive, delete, purge. */
abstract class FailureSuite extends SuiteBase {

    @Test
    void retryReschedulesAtRunAtAndAppendsTheErrorInOrder() {
        requires(Capability.DELAYED);
        String q = queue();
        String id = enqueue(job(q).build());

        AttemptError e1 = error(1, "boom 1");
        Instant runAt = now().plusSeconds(30);
        assertThat(retry(fetchOne(q).lease(), e1, runAt)).isEqualTo(Outcome.OK);
        if (declares(Capability.INSPECTION)) {
            JobInfo info = info(id);
            assertThat(info.state()).isEqualTo(JobState.SCHEDULED);
            assertThat(info.job().attempt()).isEqualTo(1);
            assertThat(info.job().runAt()).isEqualTo(runAt);
            assertThat(info.errors()).containsExactly(e1);
        }
        clock().advance(Duration.ofSeconds(30).minus(MS));
        assertNothingToFetch(q);
        clock().advance(MS);
        LeasedJob second = fetchOne(q);
        assertThat(second.job().attempt()).isEqualTo(1);
        assertThat(second.job().deliveries()).isEqualTo(2);

        // Refused without running: the error is kept, no attempt is used; a past runAt means ready now.
        AttemptError e2 = AttemptError.reason(1, now(), "throttled", "not now");
        List<Outcome> out = broker().retry(List.of(new Failure(second.lease(), e2, now().minusSeconds(5), false)));
        assertThat(out).containsExactly(Outcome.OK);
        assertState(id, JobState.READY);
        LeasedJob third = fetchOne(q);
        assertThat(third.job().attempt()).isEqualTo(1);

        AttemptError e3 = error(2, "boom 2");
        assertThat(bury(third.lease(), e3, true)).isEqualTo(Outcome.OK);
        if (declares(Capability.INSPECTION)) {
            JobInfo dead = info(id);
            assertThat(dead.errors()).as("history, oldest first").containsExactly(e1, e2, e3);
            assertThat(dead.job().attempt()).isEqualTo(2);
        }
    }

    @Test
    void aRetryThatIsDueIsReadyAtOnce() {
        String q = queue();
        String id = enqueue(job(q).build());
        assertThat(retry(fetchOne(q).lease(), error(1, "again"), now())).isEqualTo(Outcome.OK);
        assertState(id, JobState.READY);
        LeasedJob again = fetchOne(q);
        assertThat(again.job().attempt()).isEqualTo(1);
        assertThat(again.job().deliveries()).isEqualTo(2);
    }

    @Test
    void buryMakesAJobDeadWithTheErrorMessageAsItsReason() {
        requires(Capability.INSPECTION);
        String q = queue();
        String counted = enqueue(job(q).build());
        String refused = enqueue(job(q).build());
        String other = enqueue(job(q).build());
        for (LeasedJob j : fetch(q, 3)) {
            String id = j.job().id();
            Outcome o = id.equals(other) ? ack(j.lease())
                    : bury(j.lease(), error(id.equals(counted) ? 1 : 0, "disk full: " + id), id.equals(counted));
            assertThat(o).isEqualTo(Outcome.OK);
        }
        assertNothingToFetch(q);
        clock().advance(Duration.ofDays(1));
        assertNothingToFetch(q);

        JobInfo dead = info(counted);
        assertThat(dead.state()).isEqualTo(JobState.DEAD);
        assertThat(dead.deadReason()).isEqualTo("disk full: " + counted);
        assertThat(dead.errors()).extracting(AttemptError::message).containsExactly("disk full: " + counted);
        assertThat(dead.job().attempt()).isEqualTo(1);
        assertThat(dead.finishedAt()).isEqualTo(now().minus(Duration.ofDays(1)));
        assertThat(info(refused).job().attempt()).as("countsAttempt=false").isZero();
        assertThat(store().list(new JobQuery(JobState.DEAD, q, null, null, 10)).items())
                .extracting(JobInfo::id).containsExactlyInAnyOrder(counted, refused);
    }

    @Test
    void redriveMakesADeadJobReadyWithCountersResetAndHistoryKept() {
        requires(Capability.INSPECTION);
        String q = queue();
        String id = enqueue(job(q).build());
        String notDead = enqueue(job(queue()).build());
        AttemptError e1 = error(1, "first");
        AttemptError e2 = error(2, "second");
        assertThat(retry(fetchOne(q).lease(), e1, now())).isEqualTo(Outcome.OK);
        assertThat(bury(fetchOne(q).lease(), e2, true)).isEqualTo(Outcome.OK);
        assertThat(info(id).state()).isEqualTo(JobState.DEAD);

        clock().advance(Duration.ofMinutes(5));
        assertThat(store().redrive(List.of(id, notDead, JobIds.next(clock())))).as("only the dead job").isEqualTo(1);
        JobInfo info = info(id);
        assertThat(info.state()).isEqualTo(JobState.READY);
        assertThat(info.job().attempt()).isZero();
        assertThat(info.job().deliveries()).isZero();
        assertThat(info.job().runAt()).isEqualTo(now());
        assertThat(info.errors()).containsExactly(e1, e2);
        assertThat(info.deadReason()).isNull();
        assertThat(info.finishedAt()).isNull();
        assertThat(store().redrive(List.of(id))).as("idempotent").isZero();

        LeasedJob again = fetchOne(q);
        assertThat(again.job().id()).isEqualTo(id);
        assertThat(again.job().deliveries()).isEqualTo(1);
        assertThat(store().redrive(List.of(id))).as("a running job is not dead").isZero();
        assertThat(ack(again.lease())).isEqualTo(Outcome.OK);
    }

    @Test
    void deleteRemovesJobsThatAreNotRunning() {
        JobStore store = store();
        String q = queue();
        String running = enqueue(job(q).build());
        LeasedJob leased = fetchOne(q);
        String ready = enqueue(job(q).build());
        // A delayed job where the broker has them; else a second ready one.
        Instant later = declares(Capability.DELAYED) ? now().plusSeconds(10) : now();
        String scheduled = enqueue(job(q).runAt(later).build());
        String missing = JobIds.next(clock());

        assertThat(store.delete(List.of(ready, scheduled, running, missing))).isEqualTo(2);
        assertThat(store.get(ready)).isEmpty();
        assertThat(store.get(scheduled)).isEmpty();
        assertThat(store.get(running)).isPresent();
        clock().advance(Duration.ofSeconds(10)); // the deleted delayed job would be due now (the lease still runs)
        assertNothingToFetch(q);
        assertThat(store.delete(List.of(ready, scheduled))).as("idempotent").isZero();

        assertThat(ack(leased.lease())).isEqualTo(Outcome.OK);
        assertThat(store.delete(List.of(running))).as("once finished").isEqualTo(1);
        assertThat(store.get(running)).isEmpty();
    }

    @Test
    void purgeDeletesEveryJobInAFinishedStateOfOneQueueOrAll() {
        JobStore store = store();
        String q1 = queue();
        String q2 = queue();
        String s1 = finish(q1, true);
        String s2 = finish(q1, true);
        String d1 = finish(q1, false);
        String r1 = enqueue(job(q1).build());
        String s3 = finish(q2, true);

        assertThat(store.purge(JobState.SUCCEEDED, q1)).isEqualTo(2);
        assertThat(store.get(s1)).isEmpty();
        assertThat(store.get(s2)).isEmpty();
        assertThat(store.get(d1)).isPresent();
        assertThat(store.get(r1)).isPresent();
        assertThat(store.get(s3)).as("other queue").isPresent();
        assertThat(store.purge(JobState.SUCCEEDED, q1)).isZero();
        assertThat(store.purge(JobState.DEAD, q1)).isEqualTo(1);
        assertThat(store.get(d1)).isEmpty();

        assertThat(store.purge(JobState.SUCCEEDED, null)).as("all queues").isGreaterThanOrEqualTo(1);
        assertThat(store.get(s3)).isEmpty();
        assertThat(store.get(r1)).isPresent();
    }

    @Test
    void purgeRefusesStatesThatAreNotFinished() {
        JobStore store = store();
        String q = queue();
        String ready = enqueue(job(q).build());
        for (JobState s : List.of(JobState.READY, JobState.SCHEDULED, JobState.RUNNING)) {
            assertThatThrownBy(() -> store.purge(s, q)).as("purge %s", s).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.purge(s, null)).as("purge %s everywhere", s)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(store.get(ready)).isPresent();
    }

    /** A job in {@code q} that succeeded (or went dead). */
    private String finish(String q, boolean succeed) {
        String id = enqueue(job(q).build());
        LeasedJob leased = fetchOne(q);
        Outcome o = succeed ? ack(leased.lease()) : bury(leased.lease(), error(1, "dead"), true);
        assertThat(o).isEqualTo(Outcome.OK);
        return id;
    }
}
