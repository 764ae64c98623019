package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.broker.CancelResult;
import dev.conveyor.broker.Capability;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.Outcome;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.job.Progress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link JobStore#cancel}: pending jobs never run; running ones are interrupted and end CANCELLED. */
abstract class CancellationSuite extends SuiteBase {
    @BeforeEach
    void needsCancellation() {
        requires(Capability.CANCELLATION);
        requires(Capability.INSPECTION);
    }

    @Test
    void aPendingJobIsCancelledAtOnceAndNeverFetched() {
        String q = queue();
        String ready = enqueue(job(q).build());
        String later = enqueue(job(q).delay(Duration.ofMinutes(5)).build());
        List<CancelResult> r = store().cancel(List.of(ready, later, "01890000-0000-7000-8000-000000000000"));
        assertThat(r).containsExactly(CancelResult.CANCELLED, CancelResult.CANCELLED, CancelResult.NOT_FOUND);
        assertState(ready, JobState.CANCELLED);
        assertThat(info(ready).finishedAt()).isNotNull();
        clock().advance(Duration.ofMinutes(10));
        assertNothingToFetch(q);
        assertState(later, JobState.CANCELLED);
        assertThat(store().cancel(List.of(ready))).as("idempotent").containsExactly(CancelResult.FINISHED);
    }

    @Test
    void aRunningJobIsToldThroughExtendAndItsBuryIsRecordedAsCancelled() {
        String q = queue();
        String id = enqueue(job(q).build());
        LeasedJob leased = fetchOne(q);
        assertThat(extend(leased.lease(), LEASE)).isEqualTo(Outcome.OK);
        assertThat(store().cancel(List.of(id))).containsExactly(CancelResult.REQUESTED);
        assertThat(info(id).state()).as("still running until its worker stops it").isEqualTo(JobState.RUNNING);
        assertThat(info(id).cancelRequested()).isTrue();
        assertThat(store().cancel(List.of(id))).as("asking twice").containsExactly(CancelResult.REQUESTED);
        assertThat(extend(leased.lease(), LEASE)).isEqualTo(Outcome.CANCEL_REQUESTED);
        assertThat(bury(leased.lease(), error(1, "cancelled while running"), false)).isEqualTo(Outcome.OK);
        assertState(id, JobState.CANCELLED);
    }

    @Test
    void aCancelledRunningJobIsNotRetriedAndNotRedeliveredWhenItsWorkerIsLost() {
        String q = queue();
        String retried = enqueue(job(q).build());
        String lost = enqueue(job(q).build());
        List<LeasedJob> leased = fetch(q, 2);
        assertThat(leased).hasSize(2);
        store().cancel(List.of(retried, lost));
        LeasedJob r = leased.stream().filter(j -> j.job().id().equals(retried)).findFirst().orElseThrow();
        assertThat(retry(r.lease(), error(1, "interrupted"), now())).isEqualTo(Outcome.OK);
        assertState(retried, JobState.CANCELLED);
        clock().advance(LEASE.plusSeconds(1)); // the other one's worker is gone
        assertNothingToFetch(q);
        assertState(lost, JobState.CANCELLED);
    }

    @Test
    void aSuccessfulRunAfterTheRequestStaysSucceeded() {
        String q = queue();
        String id = enqueue(job(q).build());
        LeasedJob leased = fetchOne(q);
        store().cancel(List.of(id));
        assertThat(ack(leased.lease())).isEqualTo(Outcome.OK);
        assertState(id, JobState.SUCCEEDED);
    }

    @Test
    void aWorkerInterruptsACancelledHandlerAndTheJobEndsCancelled() throws Exception {
        String q = queue();
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Task<Num, Void> slow = Task.named("ct.slow", Num.class).action((n, ctx) -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.set(ctx.isCancelRequested());
                throw e;
            }
        });
        Conveyor conveyor = conveyor(slow);
        JobHandle<Void> handle = conveyor.enqueue(slow, new Num(1), dev.conveyor.EnqueueOptions.defaults().queue(q));
        startWorker(conveyor, q);
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(handle.cancel()).isEqualTo(CancelResult.REQUESTED);
        JobInfo done = awaitState(handle.id(), JobState.CANCELLED);
        assertThat(interrupted).as("the handler saw the cancel as an interrupt").isTrue();
        assertThat(done.job().attempt()).as("a cancel uses no attempt").isZero();
    }

    @Test
    void progressIsStoredUnderTheLeaseAndReadable() {
        requires(Capability.PROGRESS);
        String q = queue();
        String id = enqueue(job(q).build());
        LeasedJob leased = fetchOne(q);
        assertThat(info(id).progress()).isNull();
        Progress p = new Progress(40, "page 4 of 10", now());
        assertThat(broker().reportProgress(List.of(new dev.conveyor.broker.ProgressUpdate(leased.lease(), p))))
                .containsExactly(Outcome.OK);
        assertThat(info(id).progress()).isEqualTo(p);
        assertThat(broker().reportProgress(List.of(new dev.conveyor.broker.ProgressUpdate(wrongToken(leased.lease()),
                new Progress(90, "stale", now()))))).containsExactly(Outcome.STALE);
        assertThat(info(id).progress()).isEqualTo(p);
    }

    @Test
    void aHandlersProgressReachesTheStoreWhileItRuns() throws Exception {
        requires(Capability.PROGRESS);
        String q = queue();
        CountDownLatch reported = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Task<Num, Void> pages = Task.named("ct.pages", Num.class).action((n, ctx) -> {
            ctx.progress(30, "page 3 of 10");
            reported.countDown();
            release.await();
        });
        Conveyor conveyor = conveyor(pages);
        JobHandle<Void> handle = conveyor.enqueue(pages, new Num(1), dev.conveyor.EnqueueOptions.defaults().queue(q));
        dev.conveyor.worker.Worker worker = startWorker(conveyor, q);
        assertThat(reported.await(30, TimeUnit.SECONDS)).isTrue();
        worker.saveProgress(); // or the worker's own once-a-second save got there first: wait for either
        eventually().until(() -> handle.progress().isPresent());
        assertThat(handle.progress()).hasValueSatisfying(p -> {
            assertThat(p.percent()).isEqualTo(30);
            assertThat(p.message()).isEqualTo("page 3 of 10");
        });
        release.countDown();
        awaitState(handle.id(), JobState.SUCCEEDED);
    }

    @Test
    void aCancelledRunningJobHandedBackAtShutdownEndsCancelledInsteadOfRunningAgain() {
        String q = queue();
        String id = enqueue(job(q).build());
        LeasedJob leased = fetchOne(q);
        assertThat(store().cancel(List.of(id))).containsExactly(CancelResult.REQUESTED);
        assertThat(release(leased.lease())).isEqualTo(Outcome.OK);
        assertState(id, JobState.CANCELLED);
        assertNothingToFetch(q);
    }

    @Test
    void progressBelongsToTheRunAndIsClearedWhenTheRunEndsUnfinished() {
        requires(Capability.PROGRESS);
        String q = queue();
        String id = enqueue(job(q).build());
        LeasedJob first = fetchOne(q);
        broker().reportProgress(List.of(new dev.conveyor.broker.ProgressUpdate(first.lease(), new Progress(50, "half", now()))));
        assertThat(retry(first.lease(), error(1, "boom"), now())).isEqualTo(Outcome.OK);
        assertThat(info(id).progress()).as("after a retry").isNull();
        LeasedJob second = fetchOne(q);
        broker().reportProgress(List.of(new dev.conveyor.broker.ProgressUpdate(second.lease(), new Progress(10, "again", now()))));
        clock().advance(LEASE.plusSeconds(1)); // its worker is lost
        fetchOne(q);
        assertThat(info(id).progress()).as("after the lease was lost").isNull();
    }

    @Test
    void aCancelledRunUsesNoAttemptEvenWhenItsHandlerFailedOnItsOwn() {
        String q = queue();
        String id = enqueue(job(q).build());
        LeasedJob leased = fetchOne(q);
        store().cancel(List.of(id));
        assertThat(bury(leased.lease(), error(1, "fatal while being cancelled"), true)).isEqualTo(Outcome.OK);
        JobInfo info = info(id);
        assertThat(info.state()).isEqualTo(JobState.CANCELLED);
        assertThat(info.job().attempt()).isZero();
    }
}
