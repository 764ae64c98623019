package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.broker.Capability;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.Outcome;
import dev.conveyor.broker.Page;
import dev.conveyor.broker.QueueStats;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** JobStore reads: per-queue counts, paged listing with filters, get, awaitFinished. */
abstract class InspectionSuite extends SuiteBase {

    @BeforeEach
    void needsInspection() {
        requires(Capability.INSPECTION);
    }

    @Test
    void queuesCountsJobsByStateAndTheOldestReadyJob() {
        String q = queue();
        String other = queue();
        Instant t = now();
        List<String> ids = new ArrayList<>();
        for (int i = 5; i >= 1; i--) ids.add(enqueue(job(q).runAt(t.minusSeconds(i)).build()));
        enqueue(job(other).build());
        List<LeasedJob> three = fetch(q, 3); // the three oldest by runAt
        assertThat(three).extracting(j -> j.job().id()).containsExactlyInAnyOrderElementsOf(ids.subList(0, 3));
        for (LeasedJob j : three) {
            if (j.job().id().equals(ids.get(0))) assertThat(ack(j.lease())).isEqualTo(Outcome.OK);
            if (j.job().id().equals(ids.get(1))) assertThat(bury(j.lease(), error(1, "x"), true)).isEqualTo(Outcome.OK);
        }
        boolean delayed = declares(Capability.DELAYED);
        if (delayed) enqueue(job(q).runAt(t.plusSeconds(10)).build());

        QueueStats s = stats(q);
        assertThat(s.count(JobState.READY)).isEqualTo(2);
        assertThat(s.count(JobState.RUNNING)).isEqualTo(1);
        assertThat(s.count(JobState.SUCCEEDED)).isEqualTo(1);
        assertThat(s.count(JobState.DEAD)).isEqualTo(1);
        assertThat(s.count(JobState.SCHEDULED)).isEqualTo(delayed ? 1 : 0);
        assertThat(s.oldestReadySince()).isEqualTo(t.minusSeconds(2));
        assertThat(stats(other).count(JobState.READY)).as("queues are counted apart").isEqualTo(1);

        if (delayed) {
            clock().advance(Duration.ofSeconds(10)); // the delayed job is due: it counts as READY
            QueueStats later = stats(q);
            assertThat(later.count(JobState.READY)).isEqualTo(3);
            assertThat(later.count(JobState.SCHEDULED)).isZero();
            assertThat(later.oldestReadySince()).isEqualTo(t.minusSeconds(2));
        }
        for (LeasedJob j : fetch(q, 10)) assertThat(ack(j.lease())).isEqualTo(Outcome.OK);
        assertThat(stats(q).oldestReadySince()).as("none ready").isNull();
    }

    private QueueStats stats(String q) {
        return store().queues().stream().filter(s -> s.queue().equals(q)).findFirst()
                .orElseThrow(() -> new AssertionError("queue " + q + " missing from queues()"));
    }

    @Test
    void listPagesThroughMatchingJobsInIdOrder() {
        String q = queue();
        String elsewhere = queue();
        List<String> ids = new ArrayList<>();
        List<String> alpha = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String task = i % 2 == 0 ? "conformance.alpha" : "conformance.beta";
            String id = enqueue(job(q).task(task).build());
            ids.add(id);
            if (i % 2 == 0) alpha.add(id);
        }
        for (int i = 0; i < 3; i++) enqueue(job(elsewhere).task("conformance.alpha").build());
        List<String> acked = new ArrayList<>();
        for (LeasedJob j : fetch(q, 6)) {
            assertThat(ack(j.lease())).isEqualTo(Outcome.OK);
            acked.add(j.job().id());
        }

        assertThat(pageSizesAndIds(new JobQuery(null, q, null, null, 10)))
                .isEqualTo(new Paged(List.of(10, 10, 5), sorted(ids)));
        assertThat(pageSizesAndIds(new JobQuery(null, q, "conformance.alpha", null, 5)))
                .isEqualTo(new Paged(List.of(5, 5, 3), sorted(alpha)));
        assertThat(pageSizesAndIds(new JobQuery(JobState.SUCCEEDED, q, null, null, 4)))
                .isEqualTo(new Paged(List.of(4, 2), sorted(acked)));
        List<String> ready = new ArrayList<>(ids);
        ready.removeAll(acked);
        assertThat(pageSizesAndIds(new JobQuery(JobState.READY, q, null, null, 1000)))
                .isEqualTo(new Paged(List.of(19), sorted(ready)));
        assertThat(pageSizesAndIds(new JobQuery(null, elsewhere, "conformance.alpha", null, 2)).ids()).hasSize(3);
        assertThat(store().list(new JobQuery(null, q, "conformance.gamma", null, 10)))
                .isEqualTo(new Page<JobInfo>(List.of(), null));
    }

    private record Paged(List<Integer> sizes, List<String> ids) {}

    private Paged pageSizesAndIds(JobQuery query) {
        List<Integer> sizes = new ArrayList<>();
        List<String> got = new ArrayList<>();
        JobQuery next = query;
        for (int guard = 0; guard < 100; guard++) {
            Page<JobInfo> page = store().list(next);
            sizes.add(page.items().size());
            page.items().forEach(i -> got.add(i.id()));
            if (page.nextCursor() == null) return new Paged(sizes, got);
            next = query.after(page.nextCursor());
        }
        throw new AssertionError("list never returned a null cursor for " + query);
    }

    private static List<String> sorted(List<String> ids) {
        return ids.stream().sorted().toList();
    }

    @Test
    void getOfAnUnknownIdIsEmpty() {
        JobStore store = store();
        assertThat(store.get(JobIds.next(clock()))).isEmpty();
        assertThat(store.get("no-such-job")).as("an id that is not even a UUID").isEmpty();
    }

    @Test
    void awaitFinishedReturnsWhenTheJobFinishesOrTheTimeIsUp() throws Exception {
        JobStore store = store();
        String q = queue();
        String id = enqueue(job(q).build());
        assertThat(store.awaitFinished(JobIds.next(clock()), Duration.ofSeconds(2))).as("unknown id").isEmpty();
        assertThat(store.awaitFinished(id, Duration.ofMillis(50))).map(JobInfo::state).contains(JobState.READY);

        LeasedJob leased = fetchOne(q);
        CompletableFuture<Optional<JobInfo>> waiting =
                CompletableFuture.supplyAsync(() -> store.awaitFinished(id, PATIENCE));
        assertThat(ack(leased.lease(), "{\"done\":true}")).isEqualTo(Outcome.OK);
        Optional<JobInfo> done = waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(done).map(JobInfo::state).contains(JobState.SUCCEEDED);
    }
}
