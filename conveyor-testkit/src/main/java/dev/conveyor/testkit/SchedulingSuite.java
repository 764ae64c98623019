package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.broker.Capability;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.QueueStats;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which jobs fetch hands out when: runAt (delayed jobs), then the order among ready jobs and priorities. */
abstract class SchedulingSuite extends SuiteBase {

    @Test
    void aDelayedJobIsInvisibleUntilItIsDue() {
        requires(Capability.DELAYED);
        String q = queue();
        Instant due = now().plusSeconds(60);
        String id = enqueue(job(q).runAt(due).build());
        assertState(id, JobState.SCHEDULED);
        assertReadyCount(q, 0, null);
        assertNothingToFetch(q);

        clock().advance(Duration.ofSeconds(60).minus(MS));
        assertNothingToFetch(q);
        assertState(id, JobState.SCHEDULED);

        clock().advance(MS); // runAt ≤ now: due, and counted as READY by the store
        assertReadyCount(q, 1, due);
        if (declares(Capability.INSPECTION)) {
            assertThat(store().list(new JobQuery(JobState.READY, q, null, null, 10)).items())
                    .extracting(JobInfo::id).containsExactly(id);
            assertThat(store().list(new JobQuery(JobState.SCHEDULED, q, null, null, 10)).items()).isEmpty();
        }
        LeasedJob leased = fetchOne(q);
        assertThat(leased.job().id()).isEqualTo(id);
        assertThat(leased.job().runAt()).isEqualTo(due);
    }

    private void assertReadyCount(String q, long ready, Instant oldest) {
        if (!declares(Capability.INSPECTION)) return;
        QueueStats s = store().queues().stream().filter(x -> x.queue().equals(q)).findFirst()
                .orElseThrow(() -> new AssertionError("queue " + q + " missing from queues()"));
        assertThat(s.count(JobState.READY)).as("READY in %s", q).isEqualTo(ready);
        assertThat(s.count(JobState.SCHEDULED)).as("SCHEDULED in %s", q).isEqualTo(1 - ready);
        assertThat(s.oldestReadySince()).as("oldestReadySince of %s", q).isEqualTo(oldest);
    }

    @Test
    void aJobDueNowOrInThePastIsReadyAtOnce() {
        String q = queue();
        String dueNow = enqueue(job(q).runAt(now()).build());
        String overdue = enqueue(job(q).runAt(now().minusSeconds(3600)).build());
        assertState(dueNow, JobState.READY);
        assertState(overdue, JobState.READY);
        assertThat(fetch(q, 10)).extracting(j -> j.job().id()).containsExactlyInAnyOrder(dueNow, overdue);
    }

    @Test
    void readyJobsComeOutByRunAtThenById() {
        String q = queue();
        Instant t = now();
        List<String> ids = ascendingIds(4);
        // Enqueued scrambled; expected order: earliest runAt first, equal runAt by lower id.
        enqueue(job(q).id(ids.get(3)).runAt(t.minusSeconds(1)).build());
        enqueue(job(q).id(ids.get(1)).runAt(t.minusSeconds(2)).build());
        enqueue(job(q).id(ids.get(0)).runAt(t.minusSeconds(1)).build());
        enqueue(job(q).id(ids.get(2)).runAt(t.minusSeconds(3)).build());
        assertThat(fetchOneByOne(List.of(q), 4)).containsExactly(ids.get(2), ids.get(1), ids.get(0), ids.get(3));
    }

    @Test
    void higherPriorityComesFirstThenRunAtThenIdAcrossQueues() {
        requires(Capability.PRIORITIES);
        List<String> a = queues(3);
        List<String> expected = enqueuePrioritySet(a);
        // The queues form one pool: the order they are listed in does not matter.
        assertThat(fetchOneByOne(List.of(a.get(1), a.get(2), a.get(0)), expected.size()))
                .containsExactlyElementsOf(expected);

        List<String> b = queues(3);
        List<String> expectedB = enqueuePrioritySet(b);
        List<LeasedJob> top = broker().fetch(List.of(b.get(2), b.get(0), b.get(1)), 3, LEASE);
        assertThat(top).as("one fetch of 3 takes the 3 first in order").extracting(j -> j.job().id())
                .containsExactlyInAnyOrderElementsOf(expectedB.subList(0, 3));
    }

    /** Seven jobs over three queues; returns their ids in the contract's fetch order. */
    private List<String> enqueuePrioritySet(List<String> q) {
        Instant t = now();
        List<String> id = ascendingIds(8);
        Job a = job(q.get(0)).id(id.get(3)).priority(5).runAt(t.minusSeconds(2)).build();
        Job b = job(q.get(1)).id(id.get(6)).priority(9).runAt(t.minusSeconds(1)).build();
        Job c = job(q.get(2)).id(id.get(1)).priority(5).runAt(t.minusSeconds(2)).build(); // ties a, lower id
        Job d = job(q.get(0)).id(id.get(0)).priority(0).runAt(t.minusSeconds(9)).build(); // oldest, lowest priority
        Job e = job(q.get(2)).id(id.get(7)).priority(9).runAt(t.minusSeconds(1)).build(); // ties b, higher id
        Job f = job(q.get(1)).id(id.get(4)).priority(5).runAt(t.minusSeconds(5)).build(); // earliest of the 5s
        Job g = job(q.get(1)).id(id.get(2)).priority(7).runAt(t).build();
        broker().enqueue(List.of(a, b, c, d, e, f, g));
        return List.of(b.id(), e.id(), g.id(), f.id(), c.id(), a.id(), d.id());
    }

    private List<String> queues(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(queue());
        return out;
    }

    private List<String> ascendingIds(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(JobIds.next(clock()));
        assertThat(ids).isSorted();
        return ids;
    }

    private List<String> fetchOneByOne(List<String> queues, int n) {
        List<String> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<LeasedJob> got = broker().fetch(queues, 1, LEASE);
            assertThat(got).as("fetch #%d of max 1", i + 1).hasSize(1);
            order.add(got.get(0).job().id());
        }
        assertThat(broker().fetch(queues, 1, LEASE)).isEmpty();
        return order;
    }
}
