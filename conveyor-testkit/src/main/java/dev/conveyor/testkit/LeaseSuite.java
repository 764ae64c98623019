package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.broker.Capability;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.Lease;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.Outcome;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.worker.JobExecutor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Leases and fencing: expiry redelivers (a delivery, not an attempt), extend keeps a job, stale calls are
 * refused and change nothing, release hands a job back, and a job that keeps losing its worker comes back counting
 * every loss (its next worker quarantines it).
 */
abstract class LeaseSuite extends SuiteBase {

    @Test
    void anExpiredLeaseIsRedeliveredCostingADeliveryNotAnAttempt() {
        String q = queue();
        String id = enqueue(job(q).build());
        LeasedJob first = fetchOne(q);

        clock().advance(LEASE.minus(MS));
        assertNothingToFetch(q);
        clock().advance(MS.multipliedBy(2));
        LeasedJob second = fetchOne(q);
        assertThat(second.job().id()).isEqualTo(id);
        assertThat(second.job().deliveries()).isEqualTo(2);
        assertThat(second.job().attempt()).isZero();
        assertThat(second.lease().token()).isNotEqualTo(first.lease().token());
        assertThat(second.leaseUntil()).isEqualTo(now().plus(LEASE));

        assertThat(ack(first.lease())).as("ack under the lost lease").isEqualTo(Outcome.STALE);
        assertState(id, JobState.RUNNING);
        assertThat(ack(second.lease())).as("ack under the current lease").isEqualTo(Outcome.OK);
        assertState(id, JobState.SUCCEEDED);
    }

    @Test
    void extendKeepsAJobFromBeingRedelivered() {
        String q = queue();
        String id = enqueue(job(q).build());
        LeasedJob leased = fetchOne(q);

        clock().advance(Duration.ofSeconds(20));
        assertThat(extend(leased.lease(), LEASE)).isEqualTo(Outcome.OK);
        assertThat(extend(leased.lease(), LEASE)).as("idempotent").isEqualTo(Outcome.OK);
        if (declares(Capability.INSPECTION)) assertThat(info(id).leaseUntil()).isEqualTo(now().plus(LEASE));

        clock().advance(Duration.ofSeconds(20)); // past the first lease, inside the extended one
        assertNothingToFetch(q);
        assertThat(extend(leased.lease(), LEASE)).isEqualTo(Outcome.OK);
        clock().advance(LEASE.minus(MS));
        assertNothingToFetch(q);
        assertThat(ack(leased.lease())).isEqualTo(Outcome.OK);
        assertState(id, JobState.SUCCEEDED);
    }

    @Test
    void extendOfAnExpiredLeaseIsStaleAndTheJobIsRedelivered() {
        String q = queue();
        enqueue(job(q).build());
        LeasedJob leased = fetchOne(q);
        clock().advance(LEASE.plus(MS));
        assertThat(extend(leased.lease(), LEASE)).isEqualTo(Outcome.STALE);
        LeasedJob again = fetchOne(q);
        assertThat(again.job().deliveries()).isEqualTo(2);
        assertThat(extend(leased.lease(), LEASE)).as("the old lease, now that another holds the job")
                .isEqualTo(Outcome.STALE);
        assertThat(extend(again.lease(), LEASE)).isEqualTo(Outcome.OK);
    }

    @Test
    void callsWithAWrongTokenAreStaleAndChangeNothing() {
        String q = queue();
        String id = enqueue(job(q).build());
        LeasedJob leased = fetchOne(q);
        Lease wrong = wrongToken(leased.lease());

        assertThat(extend(wrong, LEASE)).isEqualTo(Outcome.STALE);
        assertThat(retry(wrong, error(1, "x"), now())).isEqualTo(Outcome.STALE);
        assertThat(bury(wrong, error(1, "x"), true)).isEqualTo(Outcome.STALE);
        assertThat(release(wrong)).isEqualTo(Outcome.STALE);
        assertThat(ack(wrong)).isEqualTo(Outcome.STALE);
        assertThat(ack(new Lease(JobIds.next(clock()), leased.lease().token()))).as("no such job")
                .isEqualTo(Outcome.STALE);
        if (declares(Capability.INSPECTION)) {
            JobInfo info = info(id);
            assertThat(info.state()).isEqualTo(JobState.RUNNING);
            assertThat(info.errors()).isEmpty();
            assertThat(info.job().attempt()).isZero();
            assertThat(info.job().deliveries()).isEqualTo(1);
        }
        assertNothingToFetch(q);
        assertThat(ack(leased.lease())).isEqualTo(Outcome.OK);
    }

    @Test
    void anAckAfterTheLeaseExpiredIsStaleEvenBeforeRedelivery() {
        String q = queue();
        String id = enqueue(job(q).build());
        LeasedJob leased = fetchOne(q);
        clock().advance(LEASE.plus(MS));
        assertThat(ack(leased.lease())).isEqualTo(Outcome.STALE);
        assertThat(fetchOne(q).job().id()).as("the refused ack changed nothing").isEqualTo(id);
    }

    @Test
    void everyCallUnderALeaseThatPassedToAnotherConsumerIsStale() {
        String q = queue();
        String id = enqueue(job(q).build());
        LeasedJob a = fetchOne(q);
        clock().advance(LEASE.plus(MS));
        LeasedJob b = fetchOne(q);

        assertThat(ack(a.lease())).isEqualTo(Outcome.STALE);
        assertThat(retry(a.lease(), error(1, "late"), now())).isEqualTo(Outcome.STALE);
        assertThat(bury(a.lease(), error(1, "late"), true)).isEqualTo(Outcome.STALE);
        assertThat(release(a.lease())).isEqualTo(Outcome.STALE);
        assertThat(extend(a.lease(), LEASE)).isEqualTo(Outcome.STALE);
        if (declares(Capability.INSPECTION)) {
            assertThat(info(id).errors()).isEmpty();
            assertThat(info(id).state()).isEqualTo(JobState.RUNNING);
        }
        assertThat(ack(b.lease(), "{\"by\":\"b\"}")).isEqualTo(Outcome.OK);
        assertState(id, JobState.SUCCEEDED);
    }

    @Test
    void aRepeatedAckIsStaleAndKeepsTheFirstResult() {
        String q = queue();
        String id = enqueue(job(q).build());
        LeasedJob leased = fetchOne(q);
        assertThat(ack(leased.lease(), "{\"n\":1}")).isEqualTo(Outcome.OK);
        assertThat(ack(leased.lease(), "{\"n\":2}")).isEqualTo(Outcome.STALE);
        assertThat(bury(leased.lease(), error(1, "after the fact"), true)).isEqualTo(Outcome.STALE);
        assertState(id, JobState.SUCCEEDED);
        if (declares(Capability.RESULTS)) assertThat(json(info(id).result())).isEqualTo(json("{\"n\":1}"));
    }

    @Test
    void releaseHandsAJobBackUnrunWithoutCountingTheDelivery() {
        String q = queue();
        String id = enqueue(job(q).maxDeliveries(1).build());
        for (int i = 0; i < 3; i++) { // a released lease is no lost lease: maxDeliveries=1 never quarantines
            LeasedJob leased = fetchOne(q);
            assertThat(leased.job().deliveries()).isEqualTo(1);
            assertThat(release(leased.lease())).isEqualTo(Outcome.OK);
            assertThat(release(leased.lease())).as("released twice").isEqualTo(Outcome.STALE);
            assertThat(ack(leased.lease())).as("ack after release").isEqualTo(Outcome.STALE);
            if (declares(Capability.INSPECTION)) {
                JobInfo info = info(id);
                assertThat(info.state()).isEqualTo(JobState.READY);
                assertThat(info.job().deliveries()).isZero();
                assertThat(info.job().attempt()).isZero();
                assertThat(info.errors()).isEmpty();
            }
        }
        assertThat(ack(fetchOne(q).lease())).isEqualTo(Outcome.OK);
    }

    @Test
    void aJobWhoseWorkerIsLostMaxDeliveriesTimesComesBackCountingEveryLoss() {
        String q = queue();
        String id = enqueue(job(q).maxDeliveries(3).build());
        for (int i = 1; i <= 3; i++) {
            LeasedJob leased = fetchOne(q);
            assertThat(leased.job().deliveries()).isEqualTo(i);
            // A worker marks a redelivered job started just before its handler runs (Broker#markStarted).
            if (i > 1) assertThat(broker().markStarted(List.of(leased.lease()))).containsExactly(Outcome.OK);
            clock().advance(LEASE.plus(MS)); // the worker "dies": its lease runs out
        }
        // The broker does not end it: the worker that leases it next sees three lost leases and buries it unrun
        // (JobExecutor), so its workflow and listeners hear of it.
        LeasedJob last = fetchOne(q);
        assertThat(JobExecutor.lostLeases(last.job())).isEqualTo(3);
        assertThat(last.job().attempt()).isZero();
        AttemptError quarantine = AttemptError.reason(0, now(), "quarantined", JobExecutor.quarantineReason(3, last.job()));
        assertThat(bury(last.lease(), quarantine, false)).isEqualTo(Outcome.OK);
        clock().advance(Duration.ofHours(1));
        assertThat(fetch(q, 10)).as("never handed out again").isEmpty();
        if (declares(Capability.INSPECTION)) {
            JobInfo dead = info(id);
            assertThat(dead.state()).isEqualTo(JobState.DEAD);
            assertThat(dead.deadReason()).contains("quarantined", "died 3 times");
            assertThat(dead.job().attempt()).as("no attempt used").isZero();
            assertThat(dead.lastError()).isNotNull();
            assertThat(dead.lastError().message()).isEqualTo(dead.deadReason());
            assertThat(store().list(new JobQuery(JobState.DEAD, q, null, null, 10)).items())
                    .extracting(JobInfo::id).containsExactly(id);
        }
    }

    @Test
    void afterTheFirstALeaseLostBeforeItsHandlerStartedIsGivenBack() {
        requires(Capability.START_MARKS);
        String q = queue();
        String id = enqueue(job(q).maxDeliveries(2).build());
        fetchOne(q);
        clock().advance(LEASE.plus(MS)); // the first lost lease counts, unproven: deliveries 1
        for (int i = 0; i < 5; i++) { // workers that die before starting it: never quarantined
            LeasedJob leased = fetchOne(q);
            assertThat(leased.job().id()).isEqualTo(id);
            assertThat(leased.job().deliveries()).as("round %d", i).isEqualTo(2);
            clock().advance(LEASE.plus(MS));
        }
        LeasedJob started = fetchOne(q);
        assertThat(broker().markStarted(List.of(started.lease()))).containsExactly(Outcome.OK);
        clock().advance(LEASE.plus(MS)); // lost while its handler ran: the second lost lease counts
        LeasedJob next = fetchOne(q);
        assertThat(next.job().id()).isEqualTo(id);
        assertThat(JobExecutor.lostLeases(next.job())).as("a worker quarantines it now").isEqualTo(2);
    }

    @Test
    void aStartMarkOnAStaleLeaseIsRefused() {
        requires(Capability.START_MARKS);
        String q = queue();
        enqueue(job(q).build());
        LeasedJob first = fetchOne(q);
        clock().advance(LEASE.plus(MS));
        LeasedJob second = fetchOne(q);
        assertThat(broker().markStarted(List.of(first.lease(), second.lease())))
                .containsExactly(Outcome.STALE, Outcome.OK);
        assertThat(ack(second.lease())).isEqualTo(Outcome.OK);
    }

    @Test
    void leasesEndedByFailedAttemptsDoNotCountTowardQuarantine() {
        String q = queue();
        String id = enqueue(job(q).maxDeliveries(2).build());
        for (int attempt = 1; attempt <= 2; attempt++) {
            assertThat(retry(fetchOne(q).lease(), error(attempt, "failed " + attempt), now())).isEqualTo(Outcome.OK);
        }
        fetchOne(q);
        clock().advance(LEASE.plus(MS)); // one lost lease: deliveries 3 - attempt 2 = 1 < maxDeliveries 2
        LeasedJob again = fetchOne(q);
        assertThat(again.job().id()).isEqualTo(id);
        assertThat(again.job().deliveries()).isEqualTo(4);
        assertThat(again.job().attempt()).isEqualTo(2);
    }
}
