package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.broker.Capability;
import dev.conveyor.broker.EnqueueResult;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.Outcome;
import dev.conveyor.job.Job;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Unique keys: one unfinished job per (queue, key), held uniqueFor after it finishes, atomic under races. */
abstract class UniqueKeySuite extends SuiteBase {

    @BeforeEach
    void needsUniqueKeys() {
        requires(Capability.UNIQUE_KEYS);
    }

    @Test
    void aKeyIsTakenWhileItsJobIsUnfinished() {
        String q = queue();
        String first = enqueue(job(q).uniqueKey("report-42").build());
        assertDuplicateOf(q, "report-42", first); // ready

        LeasedJob leased = fetchOne(q);
        assertDuplicateOf(q, "report-42", first); // running
        assertThat(retry(leased.lease(), error(1, "once more"), now())).isEqualTo(Outcome.OK);
        assertDuplicateOf(q, "report-42", first); // waiting for its retry

        assertThat(ack(fetchOne(q).lease())).isEqualTo(Outcome.OK);
        String second = enqueue(job(q).uniqueKey("report-42").build());
        assertThat(second).as("a finished job without uniqueFor frees its key").isNotEqualTo(first);
        assertDuplicateOf(q, "report-42", second);
    }

    @Test
    void aKeyStaysTakenForUniqueForAfterItsJobFinishes() {
        String q = queue();
        Duration hold = Duration.ofHours(1);
        String first = enqueue(job(q).uniqueKey("tick@12:00").uniqueFor(hold).build());
        clock().advance(Duration.ofSeconds(5));
        assertThat(ack(fetchOne(q).lease())).isEqualTo(Outcome.OK); // finished now
        assertDuplicateOf(q, "tick@12:00", first);

        clock().advance(hold.minus(MS));
        assertDuplicateOf(q, "tick@12:00", first);
        clock().advance(MS); // finished exactly uniqueFor ago: no longer "less than uniqueFor ago"
        String second = enqueue(job(q).uniqueKey("tick@12:00").uniqueFor(hold).build());
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void theSameKeyInAnotherQueueIsIndependent() {
        String q1 = queue();
        String q2 = queue();
        String a = enqueue(job(q1).uniqueKey("k").build());
        String b = enqueue(job(q2).uniqueKey("k").build());
        assertThat(a).isNotEqualTo(b);
        assertDuplicateOf(q1, "k", a);
        assertDuplicateOf(q2, "k", b);
    }

    @Test
    void aBatchMayHoldTheDuplicateOfAnEarlierItem() {
        String q = queue();
        Job a = job(q).uniqueKey("k1").build();
        Job b = job(q).uniqueKey("k1").build();
        Job c = job(q).uniqueKey("k2").build();
        Job d = job(q).uniqueKey("k1").build();
        assertThat(broker().enqueue(List.of(a, b, c, d))).containsExactly(
                new EnqueueResult(a.id(), false), new EnqueueResult(a.id(), true),
                new EnqueueResult(c.id(), false), new EnqueueResult(a.id(), true));
        assertThat(fetch(q, 10)).extracting(j -> j.job().id()).containsExactlyInAnyOrder(a.id(), c.id());
        if (declares(Capability.INSPECTION)) {
            assertThat(store().get(b.id())).as("nothing stored for a duplicate").isEmpty();
            assertThat(store().get(d.id())).isEmpty();
        }
    }

    @Test
    void concurrentEnqueuesOfOneKeyCreateExactlyOneJob() throws Exception {
        String q = queue();
        int threads = 16;
        int rounds = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int r = 0; r < rounds; r++) {
                String key = "race-" + r;
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<EnqueueResult>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    Job job = job(q).uniqueKey(key).build();
                    results.add(pool.submit(() -> {
                        start.await();
                        return enqueueOnce(job);
                    }));
                }
                List<EnqueueResult> got = new ArrayList<>();
                for (Future<EnqueueResult> f : results) got.add(f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
                List<EnqueueResult> created = got.stream().filter(e -> !e.duplicate()).toList();
                assertThat(created).as("new jobs for key %s", key).hasSize(1);
                assertThat(got).extracting(EnqueueResult::id).as("every answer names the one job")
                        .containsOnly(created.get(0).id());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(fetch(q, 1000)).as("one job per key").hasSize(rounds);
        if (declares(Capability.INSPECTION)) {
            assertThat(store().list(new JobQuery(null, q, null, null, 1000)).items()).hasSize(rounds);
        }
    }

    @Test
    void deletingAJobFreesItsKey() {
        String q = queue();
        String first = enqueue(job(q).uniqueKey("k").build());
        assertThat(store().delete(List.of(first))).isEqualTo(1);
        String second = enqueue(job(q).uniqueKey("k").build());
        assertDuplicateOf(q, "k", second);
    }

    private void assertDuplicateOf(String q, String key, String holder) {
        Job probe = job(q).uniqueKey(key).build();
        assertThat(enqueueOnce(probe)).as("enqueue with key %s", key).isEqualTo(new EnqueueResult(holder, true));
    }
}
