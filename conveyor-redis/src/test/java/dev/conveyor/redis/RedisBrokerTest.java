package dev.conveyor.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.BrokerException;
import dev.conveyor.broker.EnqueueResult;
import dev.conveyor.broker.Brokers;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobCodec;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.testing.SettableClock;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the conformance suite does not cover: the payload limit, an unreachable server, foreign data. */
class RedisBrokerTest {
    @RegisterExtension
    static final LocalRedis redis = new LocalRedis();
    private final SettableClock clock = SettableClock.startingNow();
    private RedisBroker broker;

    @BeforeEach
    void open() {
        broker = (RedisBroker) Brokers.open(redis.url("payloadLimit=2KiB"), new BrokerContext(clock));
    }

    @AfterEach
    void close() {
        broker.close();
    }

    private Job job(String queue, String args) {
        Instant now = clock.instant();
        return new Job(JobIds.next(clock), "t", queue, args, Map.of(), 5, 0, 0, 3, 3, now, now, null, null, null,
                null, null, null);
    }

    @Test
    void anOversizedJobIsRefusedNamingItsSizeAndTheLimitAndNothingIsStored() {
        Job small = job("limits", "{\"n\":1}");
        Job big = job("limits", "{\"blob\":\"" + "x".repeat(3000) + "\"}");
        assertThatThrownBy(() -> broker.enqueue(List.of(small, big)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job " + big.id())
                .hasMessageContaining(" is " + JobCodec.encode(big).getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                        + " bytes")
                .hasMessageContaining("limit is 2048 bytes");
        assertThat(broker.get(small.id())).as("the batch was refused as a whole").isEmpty();
        // Multi-byte characters count as their UTF-8 bytes.
        Job wide = job("limits", "{\"s\":\"" + "ü".repeat(1000) + "\"}");
        assertThatThrownBy(() -> broker.enqueue(List.of(wide))).hasMessageContaining("limit is 2048 bytes");
    }

    @Test
    void anUnreachableServerIsABrokerExceptionNamingHostAndPort() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int closedPort = port;
        assertThatThrownBy(() -> Brokers.open("redis://:pw@127.0.0.1:" + closedPort, BrokerContext.defaults()))
                .isInstanceOf(BrokerException.class)
                .hasMessageContaining("127.0.0.1:" + closedPort)
                .hasMessageContaining("running")
                .hasMessageNotContaining(":pw@");
    }

    @Test
    void textOutsideAsciiTravelsByteExactInEnvelopesAndResults() {
        // two-, three- and four-byte UTF-8 characters, an escaped quote and a control character's escape
        String text = "caf\u00e9 \u2713 \uD83D\uDE00 \\\" \\u0001 \u4e2d\u6587";
        String args = "{\"s\":\"" + text + "\"}";
        Job j = job("utf8", args);
        broker.enqueue(List.of(j));
        String stored = redis.sync().hget("{" + redis.prefix() + ":utf8}:env", j.id());
        assertThat(stored).as("the envelope as Redis holds it").contains(text);
        LeasedJob leased = broker.fetch(List.of("utf8"), 1, Duration.ofSeconds(30)).get(0);
        assertThat(leased.job().args()).isEqualTo(args);
        String result = "[\"" + text + "\"]";
        broker.ack(List.of(new dev.conveyor.broker.Completion(leased.lease(), result)));
        assertThat(broker.get(j.id()).orElseThrow().result()).isEqualTo(result);
    }

    /**
     * After a fetch that ran its queue dry, the wait that follows takes that fetch's look (no call of its own):
     * a job enqueued in between still ends it at once, and a delayed job ends it when due, both well before the
     * one-second recheck that would hide a missed wake-up.
     */
    @Test
    void aWaitAfterAFetchThatRanTheQueueDryEndsAtOnceForANewJobAndWhenTheNextOneIsDue() {
        String q = "dry";
        Duration lease = Duration.ofSeconds(30);
        assertThat(broker.fetch(List.of(q), 10, lease)).isEmpty();
        broker.enqueue(List.of(job(q, "{\"n\":1}")));
        long t0 = System.nanoTime();
        broker.awaitWork(List.of(q), Duration.ofSeconds(20));
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms waited for a job enqueued after the dry fetch")
                .isLessThan(700);
        assertThat(broker.fetch(List.of(q), 10, lease)).hasSize(1);

        Instant due = clock.instant().plusMillis(300);
        broker.enqueue(List.of(new Job(JobIds.next(clock), "t", q, "{\"n\":2}", Map.of(), 5, 0, 0, 3, 3, due,
                clock.instant(), null, null, null, null, null, null)));
        assertThat(broker.fetch(List.of(q), 10, lease)).as("not due yet: the fetch runs the queue dry").isEmpty();
        t0 = System.nanoTime();
        broker.awaitWork(List.of(q), Duration.ofSeconds(20));
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms waited for a job due in 300 ms")
                .isBetween(200L, 800L);
        clock.advance(Duration.ofMillis(300));
        assertThat(broker.fetch(List.of(q), 10, lease)).hasSize(1);
    }

    /**
     * An enqueue wakes this JVM's waiters as it is sent and expects its script's pub/sub message back; an enqueue
     * that stores nothing (a duplicate id) publishes nothing, and must leave no expectation behind that would
     * swallow another producer's message (the waiter would then sleep until its one-second cap).
     */
    @Test
    void aDuplicateEnqueueLeavesNoExpectedEchoToSwallowAnotherProducersWakeUp() {
        String q = "echo";
        Duration lease = Duration.ofSeconds(30);
        Job first = job(q, "{\"n\":1}");
        assertThat(broker.fetch(List.of(q), 10, lease)).isEmpty(); // subscribes
        broker.enqueue(List.of(first));
        assertThat(broker.fetch(List.of(q), 10, lease)).hasSize(1);
        assertThat(broker.enqueue(List.of(first)).get(0).duplicate()).isTrue();
        assertThat(broker.fetch(List.of(q), 10, lease)).as("runs the queue dry").isEmpty();
        Thread.ofVirtual().start(() -> {
            LockSupport.parkNanos(50_000_000);
            redis.sync().publish("{" + redis.prefix() + "}:wake", q); // as a producer in another process would
        });
        long t0 = System.nanoTime();
        broker.awaitWork(List.of(q), Duration.ofSeconds(20));
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms until another producer's wake-up was heard")
                .isLessThan(700);
    }

    @Test
    void foreignDataUnderThePrefixNeverBreaksFetchListOrGetAndGoodJobsStillRun() {
        String q = "foreign";
        String keyBase = "{" + redis.prefix() + ":" + q + "}:";
        Job good = job(q, "{\"n\":1}");
        broker.enqueue(List.of(good));
        long score = RedisEnqueue.Item.readyScore(9, clock.millis() - 1000); // ahead of the good job
        // 1: a ready entry whose job key is a string, not a hash
        redis.sync().set(keyBase + "job:stray-string", "hello");
        redis.sync().zadd(keyBase + "ready", score, "stray-string");
        // 2: a ready entry with no job at all
        redis.sync().zadd(keyBase + "ready", score, "no-such-job");
        // 3: a job hash with garbled fields and no envelope
        redis.sync().hset(keyBase + "job:garbled", Map.of("state", "READY", "deliveries", "many", "attempt", "x"));
        redis.sync().zadd(keyBase + "ready", score, "garbled");
        redis.sync().zadd(keyBase + "all", 0, "garbled");
        redis.sync().hset("{" + redis.prefix() + "}:index", "garbled", q);
        // 4: another queue whose ready set is a list
        String broken = "broken";
        redis.sync().rpush("{" + redis.prefix() + ":" + broken + "}:ready", "x");
        redis.sync().sadd("{" + redis.prefix() + "}:queues", broken, "not a {queue}");

        List<LeasedJob> got = broker.fetch(List.of(q, broken), 10, Duration.ofSeconds(30));
        assertThat(got).extracting(l -> l.job().id()).containsExactly(good.id());
        assertThat(broker.fetch(List.of(broken), 10, Duration.ofSeconds(30))).isEmpty();

        JobInfo garbled = broker.get("garbled").orElseThrow();
        assertThat(garbled.state()).isEqualTo(JobState.DEAD);
        assertThat(garbled.deadReason()).startsWith("corrupt record: empty envelope");
        assertThat(garbled.job().task()).isEqualTo(JobHashes.CORRUPT_TASK);
        assertThat(broker.redrive(List.of("garbled"))).as("a corrupt record cannot be re-driven").isZero();
        assertThat(broker.get("stray-string")).isEmpty();
        assertThat(broker.list(new JobQuery(null, q, null, null, 10)).items()).extracting(JobInfo::id)
                .containsExactlyInAnyOrder(good.id(), "garbled");
        assertThat(broker.list(JobQuery.inState(JobState.DEAD, 10)).items()).extracting(JobInfo::id)
                .contains("garbled");
        assertThat(broker.queues()).extracting(s -> s.queue()).contains(q).doesNotContain(broken);
        assertThat(redis.sync().get(keyBase + "job:stray-string")).as("foreign data is left alone").isEqualTo("hello");
    }

    @Test
    void aForeignEnvelopeWithAnotherIdThanItsKeyIsBuriedNotRun() {
        String q = "mismatch";
        Job j = job(q, "{\"n\":2}");
        String keyBase = "{" + redis.prefix() + ":" + q + "}:";
        redis.sync().hset(keyBase + "job:other-id", Map.of("envelope", JobCodec.encode(j), "state", "READY",
                "runAt", Long.toString(clock.millis()), "priority", "5"));
        redis.sync().zadd(keyBase + "ready", RedisEnqueue.Item.readyScore(5, clock.millis()), "other-id");
        redis.sync().zadd(keyBase + "all", 0, "other-id");
        redis.sync().hset("{" + redis.prefix() + "}:index", "other-id", q);
        assertThat(broker.fetch(List.of(q), 10, Duration.ofSeconds(30))).isEmpty();
        assertThat(broker.get("other-id").orElseThrow().deadReason()).contains("differs from the id it is stored under");
    }

    @Test
    void aStateFilterOnABusyQueuePagesThroughTheFewMatchingJobsInIdOrder() {
        String q = "busy";
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 200; i++) jobs.add(job(q, "{\"n\":" + i + "}"));
        broker.enqueue(jobs);
        List<String> dead = new ArrayList<>();
        for (LeasedJob l : broker.fetch(List.of(q), 200, Duration.ofSeconds(30))) {
            if (dead.size() < 7 && l.job().id().hashCode() % 3 == 0) {
                broker.bury(List.of(dev.conveyor.broker.Failure.bury(l.lease(),
                        dev.conveyor.job.AttemptError.reason(1, clock.instant(), "x", "boom"), true)));
                dead.add(l.job().id());
            } else {
                broker.ack(List.of(new dev.conveyor.broker.Completion(l.lease(), null)));
            }
        }
        assertThat(dead).as("few dead among many succeeded: the listing takes the dead set's shortcut").hasSize(7);
        List<String> listed = new ArrayList<>();
        JobQuery query = new JobQuery(JobState.DEAD, q, null, null, 3);
        for (var page = broker.list(query); ; page = broker.list(query.after(page.nextCursor()))) {
            page.items().forEach(i -> listed.add(i.id()));
            if (page.nextCursor() == null) break;
        }
        assertThat(listed).containsExactlyElementsOf(dead.stream().sorted().toList());
        assertThat(broker.list(new JobQuery(JobState.SUCCEEDED, q, null, null, 1000)).items())
                .hasSize(200 - dead.size());
    }

    @Test
    void getOfAnIdWhoseIndexEntryDanglesIsEmpty() {
        redis.sync().hset("{" + redis.prefix() + "}:index", "dangling", "nowhere");
        redis.sync().hset("{" + redis.prefix() + "}:index", "evil", "a}b");
        assertThat(broker.get("dangling")).isEmpty();
        assertThat(broker.get("evil")).isEmpty();
    }

    @Test
    void anEnqueueOntoAKeyHoldingForeignDataIsRefusedAndLeavesItAlone() {
        // A delayed job is stored as a job hash (a ready one as a column job, which does not use the key)
        Instant later = clock.instant().plusSeconds(60);
        Job j = new Job(JobIds.next(clock), "t", "occupied", "{\"n\":1}", Map.of(), 5, 0, 0, 3, 3, later,
                clock.instant(), null, null, null, null, null, null);
        String key = "{" + redis.prefix() + ":occupied}:job:" + j.id();
        redis.sync().set(key, "someone else's");
        assertThatThrownBy(() -> broker.enqueue(List.of(j))).isInstanceOf(BrokerException.class)
                .hasMessageContaining(key).hasMessageContaining("not a Conveyor job");
        assertThat(redis.sync().get(key)).isEqualTo("someone else's");
        assertThat(broker.get(j.id())).isEmpty();
    }

    @Test
    void aReadyJobIsAColumnJobWithoutAHashUntilSomethingButTheCommonPathTouchesIt() {
        String q = "columns";
        String base = "{" + redis.prefix() + ":" + q + "}:";
        Job a = job(q, "{\"n\":1}");
        Job b = job(q, "{\"n\":2}");
        broker.enqueue(List.of(a, b));
        assertThat(redis.sync().exists(base + "job:" + a.id(), base + "job:" + b.id())).isZero();
        assertThat(redis.sync().hget(base + "env", a.id())).isEqualTo(JobCodec.encode(a));
        assertThat(broker.get(a.id()).orElseThrow().state()).isEqualTo(JobState.READY);

        List<LeasedJob> got = broker.fetch(List.of(q), 10, Duration.ofSeconds(30));
        assertThat(got).extracting(l -> l.job().id()).containsExactly(a.id(), b.id());
        assertThat(got.get(0).job()).isEqualTo(a.withDeliveries(1));
        JobInfo running = broker.get(a.id()).orElseThrow();
        assertThat(running.state()).isEqualTo(JobState.RUNNING);
        assertThat(running.leaseUntil()).isEqualTo(got.get(0).leaseUntil().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(running.job().deliveries()).isEqualTo(1);

        // ack: stays a column job, with its result in the result column
        assertThat(broker.ack(List.of(new dev.conveyor.broker.Completion(got.get(0).lease(), "{\"ok\":true}"))))
                .containsExactly(dev.conveyor.broker.Outcome.OK);
        assertThat(redis.sync().exists(base + "job:" + a.id())).isZero();
        JobInfo done = broker.get(a.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.result()).isEqualTo("{\"ok\":true}");
        assertThat(done.finishedAt()).isNotNull();
        // a second ack under the same lease is stale
        assertThat(broker.ack(List.of(new dev.conveyor.broker.Completion(got.get(0).lease(), null))))
                .containsExactly(dev.conveyor.broker.Outcome.STALE);

        // anything else (here a retry) turns the job into a job hash first, then works as for any job hash
        Instant later = clock.instant().plusSeconds(60);
        assertThat(broker.retry(List.of(dev.conveyor.broker.Failure.retryAt(got.get(1).lease(),
                dev.conveyor.job.AttemptError.reason(0, clock.instant(), "x", "boom"), later))))
                .containsExactly(dev.conveyor.broker.Outcome.OK);
        assertThat(redis.sync().hexists(base + "env", b.id())).isFalse();
        assertThat(redis.sync().hget(base + "job:" + b.id(), "state")).isEqualTo("SCHEDULED");
        JobInfo retried = broker.get(b.id()).orElseThrow();
        assertThat(retried.state()).isEqualTo(JobState.SCHEDULED);
        assertThat(retried.job().attempt()).isEqualTo(1);
        assertThat(retried.job().task()).isEqualTo("t");

        assertThat(broker.list(new JobQuery(JobState.SUCCEEDED, q, null, null, 10)).items()).extracting(JobInfo::id)
                .containsExactly(a.id());
        assertThat(broker.prune(JobState.SUCCEEDED, q, null, 10)).isEqualTo(1);
        assertThat(broker.get(a.id())).isEmpty();
        assertThat(redis.sync().hlen(base + "env")).isZero();
        assertThat(redis.sync().hlen(base + "res")).isZero();
    }

    @Test
    void aFetchOfColumnJobsKeepsOneLeaseRecordWhichGoesWhenTheLastOfItsJobsIsSettled() {
        String q = "lease-records";
        String base = "{" + redis.prefix() + ":" + q + "}:";
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 5; i++) jobs.add(job(q, "{\"n\":" + i + "}"));
        broker.enqueue(jobs);
        List<LeasedJob> got = broker.fetch(List.of(q), 10, Duration.ofSeconds(30));
        assertThat(got).hasSize(5);
        String token = Long.toString(got.get(0).lease().token());
        // no deadline per job: one per fetch, and the fetch's ids for taking back an expired lease
        assertThat(redis.sync().zcard(base + "leased")).isZero();
        assertThat(redis.sync().zscore(base + "batches", token))
                .isEqualTo((double) got.get(0).leaseUntil().toEpochMilli());
        assertThat(redis.sync().hget(base + "lease:" + token, "left")).isEqualTo("5");
        assertThat(running(q)).isEqualTo(5);
        assertThat(broker.list(new JobQuery(JobState.RUNNING, q, null, null, 10)).items()).extracting(JobInfo::id)
                .containsExactlyElementsOf(jobs.stream().map(Job::id).toList());

        broker.ack(got.subList(0, 3).stream().map(l -> new dev.conveyor.broker.Completion(l.lease(), null)).toList());
        assertThat(redis.sync().hget(base + "lease:" + token, "left")).isEqualTo("2");
        // a lease extension turns its job into a job hash with its own deadline: one fewer in the record
        assertThat(broker.extend(List.of(got.get(3).lease()), Duration.ofSeconds(60)))
                .containsExactly(dev.conveyor.broker.Outcome.OK);
        assertThat(redis.sync().zcard(base + "leased")).isEqualTo(1);
        assertThat(redis.sync().hget(base + "lease:" + token, "left")).isEqualTo("1");
        assertThat(running(q)).isEqualTo(2);

        broker.ack(List.of(new dev.conveyor.broker.Completion(got.get(4).lease(), null)));
        assertThat(redis.sync().exists(base + "lease:" + token)).isZero();
        assertThat(redis.sync().zcard(base + "batches")).isZero();
        assertThat(running(q)).isEqualTo(1);
        assertThat(broker.get(jobs.get(4).id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }

    private long running(String queue) {
        return broker.queues().stream().filter(s -> s.queue().equals(queue)).findFirst().orElseThrow()
                .count(JobState.RUNNING);
    }

    @Test
    void theColumnJobsOfAnExpiredFetchComeBackAndItsLateAcksAreStale() {
        String q = "lease-expiry";
        String base = "{" + redis.prefix() + ":" + q + "}:";
        Job a = job(q, "{\"n\":1}");
        Job b = job(q, "{\"n\":2}");
        broker.enqueue(List.of(a, b));
        List<LeasedJob> first = broker.fetch(List.of(q), 10, Duration.ofSeconds(30));
        broker.ack(List.of(new dev.conveyor.broker.Completion(first.get(0).lease(), null)));
        clock.advance(Duration.ofSeconds(31));
        assertThat(broker.ack(List.of(new dev.conveyor.broker.Completion(first.get(1).lease(), null))))
                .as("acked after the fetch's deadline").containsExactly(dev.conveyor.broker.Outcome.STALE);
        List<LeasedJob> again = broker.fetch(List.of(q), 10, Duration.ofSeconds(30));
        assertThat(again).extracting(l -> l.job().id()).containsExactly(b.id());
        assertThat(again.get(0).job().deliveries()).isEqualTo(2);
        assertThat(redis.sync().zscore(base + "batches", Long.toString(first.get(0).lease().token()))).isNull();
        assertThat(redis.sync().exists(base + "lease:" + first.get(0).lease().token())).isZero();
        assertThat(broker.get(a.id()).orElseThrow().state()).as("the acked one stays done")
                .isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void onOneServerTheIdIndexDecidesWhatIsADuplicateAndAnEntryWithoutItsJobIsTakenOver() {
        String q = "index-dupes";
        String base = "{" + redis.prefix() + ":" + q + "}:";
        String index = "{" + redis.prefix() + "}:index";
        Job stored = job(q, "{\"n\":1}");
        broker.enqueue(List.of(stored));
        // the same id again: the index names this queue and the job is there
        assertThat(broker.enqueue(List.of(stored))).extracting(EnqueueResult::duplicate).containsExactly(true);
        // an index entry naming this queue whose job is gone (deleted, its index clean-up never ran)
        Job dangling = job(q, "{\"n\":2}");
        redis.sync().hset(index, dangling.id(), q);
        // an id with no index entry is new, even though nothing else was asked
        Job fresh = job(q, "{\"n\":3}");
        assertThat(broker.enqueue(List.of(dangling, fresh))).extracting(EnqueueResult::duplicate)
                .containsExactly(false, false);
        assertThat(redis.sync().hget(base + "env", dangling.id())).isEqualTo(JobCodec.encode(dangling));
        assertThat(redis.sync().hget(index, fresh.id())).isEqualTo(q);
        // a job hash whose id set entry was lost still counts as there
        Job hashed = job(q, "{\"n\":4}").withRunAt(clock.instant().plusSeconds(60)); // scheduled: a job hash
        broker.enqueue(List.of(hashed));
        redis.sync().zrem(base + "all", hashed.id());
        assertThat(broker.enqueue(List.of(hashed))).extracting(EnqueueResult::duplicate).containsExactly(true);
        assertThat(broker.fetch(List.of(q), 10, Duration.ofSeconds(30))).extracting(l -> l.job().id())
                .containsExactly(stored.id(), dangling.id(), fresh.id());
    }

    @Test
    void aColumnJobTakenBackReturnsToItsPlaceWithThePriorityAndRunAtOfItsEnvelope() {
        // A fetch keeps no score per running column job: the envelope's priority and runAt give its place back.
        String q = "lease-place";
        String base = "{" + redis.prefix() + ":" + q + "}:";
        Instant start = clock.instant();
        Job a = job(q, "{\"n\":1}").withPriority(7).withRunAt(start.minusMillis(1500).plusNanos(123_456));
        broker.enqueue(List.of(a));
        assertThat(redis.sync().exists(base + "job:" + a.id())).as("a column job").isZero();
        assertThat(broker.fetch(List.of(q), 10, Duration.ofSeconds(30))).extracting(l -> l.job().id())
                .containsExactly(a.id());
        clock.advance(Duration.ofSeconds(31));
        // due after a, before the take-back: only a's own runAt puts a first; priority 5 or "due now" would not
        Job b = job(q, "{\"n\":2}").withPriority(7).withRunAt(start.minusMillis(500));
        Job c = job(q, "{\"n\":3}").withPriority(6).withRunAt(start.minusSeconds(60));
        broker.enqueue(List.of(b, c));

        List<LeasedJob> again = broker.fetch(List.of(q), 3, Duration.ofSeconds(30));
        assertThat(again).extracting(l -> l.job().id()).containsExactly(a.id(), b.id(), c.id());
        assertThat(again.get(0).job().deliveries()).isEqualTo(2);
        assertThat(again.get(0).job().priority()).isEqualTo(7);
        assertThat(redis.sync().hget(base + "job:" + a.id(), "priority")).isEqualTo("7");
        assertThat(redis.sync().hget(base + "job:" + a.id(), "runAt"))
                .isEqualTo(Long.toString(a.runAt().toEpochMilli()));
    }

    @Test
    void aColumnJobLeasedByAnOlderVersionIsAckedAndTakenBackAsBefore() {
        // Before lease records, a running column job had its own deadline in leased beside its tok entry.
        String q = "lease-upgrade";
        String base = "{" + redis.prefix() + ":" + q + "}:";
        Job a = job(q, "{\"n\":1}");
        Job b = job(q, "{\"n\":2}");
        broker.enqueue(List.of(a, b));
        long now = clock.millis();
        long until = now + 30_000;
        for (Job j : List.of(a, b)) {
            Double score = redis.sync().zscore(base + "ready", j.id());
            redis.sync().zrem(base + "ready", j.id());
            redis.sync().hset(base + "tok", j.id(), "77:" + String.format("%.0f", score) + ":" + now);
            redis.sync().zadd(base + "leased", until, j.id());
        }
        assertThat(broker.get(a.id()).orElseThrow().leaseUntil()).isEqualTo(Instant.ofEpochMilli(until));
        assertThat(broker.ack(List.of(new dev.conveyor.broker.Completion(new dev.conveyor.broker.Lease(a.id(), 77), null))))
                .containsExactly(dev.conveyor.broker.Outcome.OK);
        assertThat(redis.sync().zscore(base + "leased", a.id())).isNull();
        assertThat(broker.get(a.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        clock.advance(Duration.ofSeconds(31));
        List<LeasedJob> again = broker.fetch(List.of(q), 10, Duration.ofSeconds(30));
        assertThat(again).extracting(l -> l.job().id()).containsExactly(b.id());
        assertThat(again.get(0).job().deliveries()).isEqualTo(2);
    }

    @Test
    void columnJobsCanBeCancelledDeletedAndPurged() {
        String q = "columns-admin";
        String base = "{" + redis.prefix() + ":" + q + "}:";
        Job running = job(q, "{\"n\":1}"); // fetched first: same priority and runAt, lower id
        Job done = job(q, "{\"n\":2}");
        Job ready = job(q, "{\"n\":3}");
        Job gone = job(q, "{\"n\":4}");
        broker.enqueue(List.of(running, done, ready, gone));
        List<LeasedJob> got = broker.fetch(List.of(q), 2, Duration.ofSeconds(30));
        assertThat(got).extracting(l -> l.job().id()).containsExactly(running.id(), done.id());
        broker.ack(List.of(new dev.conveyor.broker.Completion(got.get(1).lease(), null)));

        assertThat(broker.cancel(List.of(ready.id(), running.id()))).containsExactly(
                dev.conveyor.broker.CancelResult.CANCELLED, dev.conveyor.broker.CancelResult.REQUESTED);
        assertThat(broker.get(ready.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(broker.get(running.id()).orElseThrow().cancelRequested()).isTrue();
        assertThat(broker.extend(List.of(got.get(0).lease()), Duration.ofSeconds(30)))
                .containsExactly(dev.conveyor.broker.Outcome.CANCEL_REQUESTED);

        assertThat(broker.delete(List.of(gone.id()))).isEqualTo(1);
        assertThat(broker.get(gone.id())).isEmpty();
        assertThat(broker.purge(JobState.SUCCEEDED, q)).isEqualTo(1);
        assertThat(broker.get(done.id())).isEmpty();
        assertThat(redis.sync().hlen(base + "env")).isZero();
        assertThat(redis.sync().hlen(base + "tok")).isZero();
    }

    @Test
    void aRunAtFinerThanAMillisecondSurvivesTheRoundTrip() {
        Instant fine = clock.instant().minusSeconds(1).plusNanos(123_456);
        Job j = new Job(JobIds.next(clock), "t", "fine", "{}", Map.of(), 5, 0, 0, 3, 3, fine, fine, null, null,
                null, null, null, null);
        broker.enqueue(List.of(j));
        assertThat(broker.fetch(List.of("fine"), 1, Duration.ofSeconds(30))).singleElement()
                .satisfies(l -> assertThat(l.job().runAt()).isEqualTo(fine));
        assertThat(broker.get(j.id()).orElseThrow().job().runAt()).isEqualTo(fine);
    }

    @Test
    void awaitFinishedWakesOnAnAckFromAnotherBrokerWellBeforeItsOneSecondRecheck() throws Exception {
        Job j = job("awaited", "{}");
        broker.enqueue(List.of(j));
        LeasedJob leased = broker.fetch(List.of("awaited"), 1, Duration.ofSeconds(30)).getFirst();
        java.util.concurrent.CompletableFuture<Long> returnedAt = new java.util.concurrent.CompletableFuture<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            broker.awaitFinished(j.id(), Duration.ofSeconds(20));
            returnedAt.complete(System.nanoTime());
        });
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (waiter.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(waiter.getState()).as("the waiter is waiting").isEqualTo(Thread.State.TIMED_WAITING);
        long ackedAt;
        try (RedisBroker other = (RedisBroker) Brokers.open(redis.url(""), new BrokerContext(clock))) {
            ackedAt = System.nanoTime();
            assertThat(other.ack(List.of(new dev.conveyor.broker.Completion(leased.lease(), "{\"ok\":1}"))))
                    .containsExactly(dev.conveyor.broker.Outcome.OK);
        }
        long waitedMs = (returnedAt.get(10, java.util.concurrent.TimeUnit.SECONDS) - ackedAt) / 1_000_000;
        assertThat(waitedMs).as("ms from the ack to the waiter's return (its recheck is every 1000 ms)").isLessThan(600);
        assertThat(broker.get(j.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void closeIsIdempotent() {
        RedisBroker b = (RedisBroker) Brokers.open(redis.url(""), new BrokerContext(clock));
        b.close();
        b.close();
    }

    @Test
    void theQueueNameMustBeValidForFetch() {
        Broker b = broker;
        assertThatThrownBy(() -> b.fetch(List.of("bad}name"), 1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queue must match");
    }
}
