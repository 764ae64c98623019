package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.broker.Capability;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fairness keys: within a queue and priority, keys take turns ({@link dev.conveyor.broker.FairOrder}), so a big
 * backlog of one key does not delay another key's jobs; nothing is lost and each key stays first-in first-out.
 */
abstract class FairnessSuite extends SuiteBase {

    private List<Job> keyed(String q, String key, int n) {
        List<Job> jobs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            jobs.add(job(q).headers(Map.of(Job.FAIR_KEY_HEADER, key)).args("{\"key\":\"" + key + "\",\"n\":" + i + "}").build());
        }
        return jobs;
    }

    private void enqueueAll(List<Job> jobs) {
        for (int from = 0; from < jobs.size(); from += 200) {
            List<Job> chunk = jobs.subList(from, Math.min(jobs.size(), from + 200));
            assertThat(broker().enqueue(chunk)).allSatisfy(r -> assertThat(r.duplicate()).isFalse());
        }
    }

    /** Fetches until the queue is empty, acknowledging each batch so no lease is left behind. */
    private List<LeasedJob> drain(String q, int batchSize) {
        List<LeasedJob> all = new ArrayList<>();
        List<LeasedJob> batch;
        while (!(batch = fetch(q, batchSize)).isEmpty()) {
            all.addAll(batch);
            broker().ack(batch.stream().map(j -> new dev.conveyor.broker.Completion(j.lease(), null)).toList());
        }
        return all;
    }

    private static String keyOf(LeasedJob j) {
        return j.job().fairKey();
    }

    @Test
    void aSmallKeyIsNotStuckBehindABigKeysBacklog() {
        requires(Capability.FAIR_KEYS);
        String q = queue();
        enqueueAll(keyed(q, "big", 1000));
        clock().advance(Duration.ofSeconds(1));
        List<Job> small = keyed(q, "small", 10);
        enqueueAll(small);

        List<LeasedJob> fetched = drain(q, 25);
        assertThat(fetched).as("every job fetched once").hasSize(1010);
        assertThat(fetched.stream().map(j -> j.job().id()).distinct().count()).isEqualTo(1010);

        int lastSmall = 0;
        for (int i = 0; i < fetched.size(); i++) if (keyOf(fetched.get(i)).equals("small")) lastSmall = i;
        assertThat(lastSmall).as("position of the small key's last job among 1,010 fetched").isLessThan(30);

        // Each key stays first-in first-out.
        Map<String, Integer> next = new HashMap<>();
        for (LeasedJob j : fetched) {
            int n = json(j.job().args()).get("n").asInt();
            int expected = next.getOrDefault(keyOf(j), 0);
            assertThat(n).as("order within key %s", keyOf(j)).isEqualTo(expected);
            next.put(keyOf(j), expected + 1);
        }
    }

    @Test
    void keysEnqueuedOneAfterAnotherTakeTurns() {
        requires(Capability.FAIR_KEYS);
        String q = queue();
        enqueueAll(keyed(q, "a", 4));
        enqueueAll(keyed(q, "b", 4));
        enqueueAll(keyed(q, "c", 4));
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 12; i++) order.add(keyOf(fetchOne1(q)));
        assertThat(order).containsExactly("a", "b", "c", "a", "b", "c", "a", "b", "c", "a", "b", "c");
    }

    private LeasedJob fetchOne1(String q) {
        List<LeasedJob> got = fetch(q, 1);
        assertThat(got).hasSize(1);
        return got.get(0);
    }

    @Test
    void aKeyedJobIsReadyAtOnceEvenWhenItsPlaceLiesAhead() {
        requires(Capability.FAIR_KEYS);
        String q = queue();
        List<Job> jobs = keyed(q, "burst", 300);
        enqueueAll(jobs);
        // The clock stands still: the 300th job's place is 299 ms ahead, and it is ready all the same.
        if (declares(Capability.INSPECTION)) assertState(jobs.get(299).id(), JobState.READY);
        assertThat(drain(q, 100)).hasSize(300);
    }

    @Test
    void priorityStillComesFirst() {
        requires(Capability.FAIR_KEYS);
        requires(Capability.PRIORITIES);
        String q = queue();
        enqueueAll(keyed(q, "low", 50));
        String urgent = enqueue(job(q).priority(9).headers(Map.of(Job.FAIR_KEY_HEADER, "low")).build());
        assertThat(fetch(q, 1)).extracting(j -> j.job().id()).containsExactly(urgent);
    }

    @Test
    void aDelayedKeyedJobWaitsForItsTime() {
        requires(Capability.FAIR_KEYS);
        requires(Capability.DELAYED);
        String q = queue();
        String later = enqueue(job(q).delay(Duration.ofSeconds(30)).headers(Map.of(Job.FAIR_KEY_HEADER, "t")).build());
        assertState(later, JobState.SCHEDULED);
        assertNothingToFetch(q);
        clock().advance(Duration.ofSeconds(30));
        assertThat(fetchOne(q).job().id()).isEqualTo(later);
    }

    @Test
    void aLostLeaseGivesAKeyedJobBackWithoutLosingIt() {
        requires(Capability.FAIR_KEYS);
        String q = queue();
        enqueueAll(keyed(q, "k", 3));
        List<LeasedJob> first = fetch(q, 3);
        assertThat(first).hasSize(3);
        clock().advance(LEASE.plusSeconds(1));
        // Brokers reclaim expired leases in bounded rounds (other tests' leases may expire at the same time).
        List<LeasedJob> again = new ArrayList<>();
        for (int round = 0; round < 20 && again.size() < 3; round++) again.addAll(fetch(q, 10));
        assertThat(again).extracting(j -> j.job().id())
                .containsExactlyInAnyOrderElementsOf(first.stream().map(j -> j.job().id()).toList());
    }
}
