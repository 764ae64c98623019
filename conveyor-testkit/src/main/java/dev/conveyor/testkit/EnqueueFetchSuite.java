package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.conveyor.broker.Capability;
import dev.conveyor.broker.Completion;
import dev.conveyor.broker.EnqueueResult;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.Lease;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.Outcome;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Broker.enqueue, fetch and ack: the happy path, batches, idempotent enqueue and exclusive leases. */
abstract class EnqueueFetchSuite extends SuiteBase {

    @Test
    void declaredCapabilitiesMatchWhatTheBrokerImplements() {
        assertThat(broker().capabilities()).as("constant for the broker's lifetime").isEqualTo(broker().capabilities());
        assertThat(broker() instanceof JobStore).as("INSPECTION declared iff the broker implements JobStore")
                .isEqualTo(declares(Capability.INSPECTION));
        if (declares(Capability.RESULTS)) {
            assertThat(broker()).as("RESULTS are served through JobStore.get").isInstanceOf(JobStore.class);
        }
    }

    @Test
    void aJobGoesFromReadyToRunningToSucceeded() {
        String q = queue();
        String id = enqueue(job(q).build());
        assertState(id, JobState.READY);

        Instant fetchedAt = now();
        LeasedJob leased = fetchOne(q);
        assertThat(leased.job().id()).isEqualTo(id);
        assertThat(leased.lease().jobId()).isEqualTo(id);
        assertThat(leased.job().deliveries()).as("deliveries counts this lease").isEqualTo(1);
        assertThat(leased.job().attempt()).isZero();
        assertThat(leased.leaseUntil()).isEqualTo(fetchedAt.plus(LEASE));
        if (declares(Capability.INSPECTION)) {
            JobInfo running = info(id);
            assertThat(running.state()).isEqualTo(JobState.RUNNING);
            assertThat(running.job().deliveries()).isEqualTo(1);
            assertThat(running.leaseUntil()).isEqualTo(leased.leaseUntil());
        }

        clock().advance(Duration.ofSeconds(1));
        assertThat(ack(leased.lease())).isEqualTo(Outcome.OK);
        assertNothingToFetch(q);
        if (declares(Capability.INSPECTION)) {
            JobInfo done = info(id);
            assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(done.finishedAt()).isEqualTo(now());
            assertThat(done.leaseUntil()).isNull();
            assertThat(done.deadReason()).isNull();
            assertThat(done.errors()).isEmpty();
            assertThat(done.job().attempt()).isZero();
            assertThat(done.job().deliveries()).isEqualTo(1);
        }
    }

    @Test
    void anAckStoresTheResultForJobStoreGet() {
        requires(Capability.RESULTS);
        String q = queue();
        String withResult = enqueue(job(q).build());
        String without = enqueue(job(q).build());
        for (LeasedJob j : fetch(q, 2)) {
            String result = j.job().id().equals(withResult) ? "{\"total\":42,\"parts\":[40,2],\"note\":\"ü\"}" : null;
            assertThat(ack(j.lease(), result)).isEqualTo(Outcome.OK);
        }
        assertThat(json(info(withResult).result())).isEqualTo(json("{\"total\":42,\"parts\":[40,2],\"note\":\"ü\"}"));
        assertThat(info(without).result()).isNull();
    }

    @Test
    void everyFieldOfAJobSurvivesTheRoundTrip() {
        String q = queue();
        Instant t = now();
        JobSpec spec = job(q).task("conformance.every-field")
                .args("{\"a\":[1,2.5,{\"b\":\"ü\\n\\\"x\\\"\"}],\"n\":null,\"t\":true}")
                .headers(Map.of("traceparent", "00-abc-def-01", "tenant", "t1"))
                .priority(7).maxAttempts(4).maxDeliveries(2)
                .runAt(t.minusSeconds(5)).enqueuedAt(t.minusSeconds(6)).expiresAt(t.plus(Duration.ofHours(1)))
                .timeout(Duration.ofSeconds(90)).parentId(JobIds.next(clock())).groupId("group-1");
        if (declares(Capability.UNIQUE_KEYS)) spec.uniqueKey("every-field").uniqueFor(Duration.ofMinutes(10));
        Job sent = spec.build();
        enqueue(sent);

        Job got = fetchOne(q).job();
        assertSameJob(got, sent);
        assertThat(got.deliveries()).isEqualTo(1);
        if (declares(Capability.INSPECTION)) assertSameJob(info(sent.id()).job(), sent);
    }

    /**
     * Money in args keeps every digit: a decimal read as a double somewhere on the way comes back rounded (the Redis
     * broker's envelope reader did, before 2026-11-27), and a trailing zero dropped changes a {@code BigDecimal}'s scale.
     */
    @Test
    void decimalsInArgsComeBackDigitForDigit() {
        String q = queue();
        String args = "{\"amount\":0.12345678901234567890123,\"price\":1.50,\"count\":123456789012345678901234567890}";
        Job sent = job(q).args(args).build();
        enqueue(sent);
        com.fasterxml.jackson.databind.ObjectMapper exact = dev.conveyor.internal.Json.newExactMapper(50);
        try {
            assertThat(exact.readTree(fetchOne(q).job().args())).as("fetched args").isEqualTo(exact.readTree(args));
            if (declares(Capability.INSPECTION)) {
                assertThat(exact.readTree(info(sent.id()).job().args())).as("inspected args").isEqualTo(exact.readTree(args));
            }
        } catch (JsonProcessingException e) {
            throw new AssertionError("args are not JSON", e);
        }
    }

    private static void assertSameJob(Job got, Job sent) {
        assertThat(json(got.args())).as("args").isEqualTo(json(sent.args()));
        assertThat(got.withDeliveries(0)).usingRecursiveComparison().ignoringFields("args").isEqualTo(sent);
    }

    @Test
    void fetchOnAnEmptyQueueReturnsAnEmptyList() {
        String q = queue();
        assertNothingToFetch(q);
        enqueue(job(q).build());
        fetchOne(q);
        assertThat(fetch(q, 10)).as("only a running job left").isEmpty();
    }

    @Test
    void fetchReturnsAtMostMaxJobs() {
        String q = queue();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 5; i++) ids.add(enqueue(job(q).build()));
        List<LeasedJob> first = fetch(q, 3);
        List<LeasedJob> second = fetch(q, 3);
        assertThat(first).hasSize(3);
        assertThat(second).hasSize(2);
        assertThat(fetch(q, 3)).isEmpty();
        List<String> all = new ArrayList<>();
        first.forEach(j -> all.add(j.job().id()));
        second.forEach(j -> all.add(j.job().id()));
        assertThat(all).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void aJobIsNeverHandedOutTwiceWhileLeased() throws Exception {
        String q = queue();
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 400; i++) jobs.add(job(q).build());
        broker().enqueue(jobs);

        int fetchers = 8;
        ConcurrentLinkedQueue<LeasedJob> got = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(fetchers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < fetchers; i++) {
                done.add(pool.submit(() -> {
                    start.await();
                    while (true) {
                        List<LeasedJob> batch = fetch(q, 7);
                        if (batch.isEmpty()) return null;
                        got.addAll(batch);
                    }
                }));
            }
            start.countDown();
            for (Future<?> f : done) f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(got).extracting(j -> j.job().id()).hasSize(400).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(jobs.stream().map(Job::id).toList());
        clock().advance(LEASE.minus(MS));
        assertThat(fetch(q, 100)).as("still leased a moment before the leases end").isEmpty();
    }

    @Test
    void aThousandJobsGoInOneCallAndComeOutInBatches() {
        String q = queue();
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) jobs.add(job(q).args("{\"n\":" + i + "}").build());
        List<EnqueueResult> results = broker().enqueue(jobs);
        assertThat(results).as("one answer per job, in order")
                .containsExactlyElementsOf(jobs.stream().map(j -> new EnqueueResult(j.id(), false)).toList());

        List<LeasedJob> leased = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            List<LeasedJob> batch = fetch(q, 100);
            assertThat(batch).as("batch %d", i).hasSize(100);
            leased.addAll(batch);
        }
        assertNothingToFetch(q);
        assertThat(leased).extracting(j -> j.job().id()).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(jobs.stream().map(Job::id).toList());

        // One ack call for all of them, with a lease of no job in the middle: its answer must land in its slot.
        List<Completion> completions = new ArrayList<>();
        leased.forEach(j -> completions.add(new Completion(j.lease(), "{\"ok\":true}")));
        completions.add(500, new Completion(new Lease(JobIds.next(clock()), 1), null));
        List<Outcome> outcomes = broker().ack(completions);
        List<Outcome> expected = new ArrayList<>(Collections.nCopies(1001, Outcome.OK));
        expected.set(500, Outcome.STALE);
        assertThat(outcomes).containsExactlyElementsOf(expected);
        if (declares(Capability.INSPECTION)) {
            assertThat(((JobStore) broker()).queues()).filteredOn(s -> s.queue().equals(q)).singleElement()
                    .satisfies(s -> assertThat(s.count(JobState.SUCCEEDED)).isEqualTo(1000));
        }
    }

    /**
     * Many threads each enqueueing one job at the same time, as a web app's requests do (a broker may store them
     * together): each gets its own job's answer, and every job is stored once; the same id sent by two threads
     * at once is stored once and a duplicate for the other.
     */
    @Test
    void concurrentSingleEnqueuesEachGetTheirOwnAnswerAndStoreEveryJobOnce() throws Exception {
        String q = queue();
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 200; i++) jobs.add(job(q).args("{\"n\":" + i + "}").build());
        Job twice = job(q).build();
        List<Future<EnqueueResult>> answers = new ArrayList<>();
        List<Future<EnqueueResult>> twiceAnswers = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Job j : jobs) {
                answers.add(requests.submit(() -> {
                    go.await();
                    return broker().enqueue(List.of(j)).get(0);
                }));
            }
            for (int i = 0; i < 2; i++) {
                twiceAnswers.add(requests.submit(() -> {
                    go.await();
                    return broker().enqueue(List.of(twice)).get(0);
                }));
            }
            go.countDown();
        }
        for (int i = 0; i < jobs.size(); i++) {
            assertThat(answers.get(i).get()).isEqualTo(new EnqueueResult(jobs.get(i).id(), false));
        }
        assertThat(List.of(twiceAnswers.get(0).get(), twiceAnswers.get(1).get())).as("one stored, one duplicate")
                .containsExactlyInAnyOrder(new EnqueueResult(twice.id(), false), new EnqueueResult(twice.id(), true));
        List<String> fetched = new ArrayList<>();
        for (List<LeasedJob> batch = fetch(q, 100); !batch.isEmpty(); batch = fetch(q, 100)) {
            batch.forEach(l -> fetched.add(l.job().id()));
        }
        List<String> expected = new ArrayList<>(jobs.stream().map(Job::id).toList());
        expected.add(twice.id());
        assertThat(fetched).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void enqueueingTheSameJobIdTwiceIsADuplicateAndChangesNothing() {
        String q = queue();
        Job job = job(q).build();
        enqueue(job);
        LeasedJob leased = fetchOne(q);
        assertThat(enqueueOnce(job)).isEqualTo(new EnqueueResult(job.id(), true));
        assertThat(enqueueOnce(job.withRunAt(now().plusSeconds(60)))).isEqualTo(new EnqueueResult(job.id(), true));
        assertState(job.id(), JobState.RUNNING);
        assertNothingToFetch(q);
        assertThat(ack(leased.lease())).isEqualTo(Outcome.OK);
        assertThat(enqueueOnce(job)).as("also once finished").isEqualTo(new EnqueueResult(job.id(), true));
        assertState(job.id(), JobState.SUCCEEDED);

        Job other = job(q).build();
        assertThat(broker().enqueue(List.of(other, other)))
                .containsExactly(new EnqueueResult(other.id(), false), new EnqueueResult(other.id(), true));
        assertThat(fetch(q, 10)).as("one job stored for the batch").hasSize(1);

        // A batch mixing a stored id with new ones: the stored one is a duplicate, the others are stored.
        Job third = job(q).build();
        Job fourth = job(q).build();
        assertThat(broker().enqueue(List.of(third, job, fourth))).containsExactly(new EnqueueResult(third.id(), false),
                new EnqueueResult(job.id(), true), new EnqueueResult(fourth.id(), false));
        assertThat(fetch(q, 10)).as("the batch's new jobs, not the duplicate").hasSize(2);
        assertState(job.id(), JobState.SUCCEEDED);
    }

    @Test
    void anIdIsUniqueAcrossQueues() {
        String a = queue();
        String b = queue();
        Job first = job(a).build();
        enqueue(first);
        Job elsewhere = job(b).id(first.id()).build();
        assertThat(enqueueOnce(elsewhere)).as("the same id in another queue").isEqualTo(new EnqueueResult(first.id(), true));
        Job fresh = job(b).build();
        assertThat(broker().enqueue(List.of(fresh, elsewhere))).as("in a batch too")
                .containsExactly(new EnqueueResult(fresh.id(), false), new EnqueueResult(first.id(), true));
        assertThat(fetch(b, 10)).extracting(l -> l.job().id()).containsExactly(fresh.id());
        assertThat(fetch(a, 10)).extracting(l -> l.job().id()).containsExactly(first.id());
    }
}
