package dev.conveyor.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.BrokerException;
import dev.conveyor.broker.Brokers;
import dev.conveyor.broker.Completion;
import dev.conveyor.broker.Failure;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.Outcome;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Foreign data at any key of a queue (or at the prefix's id index or queue set): every operation either does all it should or is refused (or skips the
 * queue), and no job is lost or left half-moved. The scripts check a key's type only where they write it without
 * having read it first (fetch.lua, settle.lua), so each key is tried here, with every operation and with the
 * housekeeping a fetch does (expired leases, due delayed jobs); then the foreign key goes and every job accepted
 * must run to success.
 */
class ForeignKeyTypesTest {
    @RegisterExtension
    static final LocalRedis redis = new LocalRedis();

    @ParameterizedTest
    @ValueSource(strings = {"ready", "scheduled", "leased", "succeeded", "dead", "cancelled", "kept", "unique", "env",
            "tok", "res", "batches", "fair", "all", "@index", "@queues"})
    void foreignDataAtAnyKeyOfAQueueLosesNoJob(String suffix) {
        SettableClock clock = SettableClock.startingNow();
        String q = "fk-" + suffix.replace("@", "");
        // "@name": a key of the whole prefix (the id index, the set of queue names)
        String foreignKey = suffix.startsWith("@") ? "{" + redis.prefix() + "}:" + suffix.substring(1)
                : "{" + redis.prefix() + ":" + q + "}:" + suffix;
        try (RedisBroker broker = (RedisBroker) Brokers.open(redis.url(""), new BrokerContext(clock))) {
            redis.sync().set(foreignKey, "someone else's");
            Instant now = clock.instant();
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < 4; i++) jobs.add(job(q, now, now, null));
            jobs.add(job(q, now.plusSeconds(10), now, null)); // delayed: a job hash in scheduled
            jobs.add(job(q, now, now, "only-one")); // unique: a job hash
            Set<String> accepted = new LinkedHashSet<>();
            // ready jobs alone (column jobs, the common call), then the delayed and the unique one (job hashes)
            for (List<Job> call : List.of(jobs.subList(0, 4), jobs.subList(4, 6))) {
                try {
                    broker.enqueue(call);
                    call.forEach(j -> accepted.add(j.id()));
                } catch (BrokerException refused) {
                    assertThat(refused).hasMessageContaining(foreignKey);
                }
            }

            // every operation once, each allowed to be refused
            // one job fetched and acked alone (its fetch's lease record goes with the ack), then the others
            List<LeasedJob> one = attempt(() -> broker.fetch(List.of(q), 1, Duration.ofSeconds(30)));
            if (one != null && !one.isEmpty()) {
                attempt(() -> broker.ack(List.of(new Completion(one.get(0).lease(), "{\"ok\":1}"))));
            }
            List<LeasedJob> leased = attempt(() -> broker.fetch(List.of(q), 10, Duration.ofSeconds(30)));
            if (leased != null && leased.size() >= 3) {
                attempt(() -> broker.retry(List.of(Failure.retryAt(leased.get(0).lease(),
                        AttemptError.reason(1, clock.instant(), "x", "boom"), clock.instant()))));
                attempt(() -> broker.release(List.of(leased.get(1).lease())));
                attempt(() -> broker.extend(List.of(leased.get(2).lease()), Duration.ofSeconds(30)));
            }
            // leases expire and the delayed job falls due: the next fetch has housekeeping to do
            clock.advance(Duration.ofSeconds(70));
            List<LeasedJob> again = attempt(() -> broker.fetch(List.of(q), 10, Duration.ofSeconds(30)));
            String buried = null; // the one job that ends dead, if its burial went through
            if (again != null && !again.isEmpty()) {
                List<Outcome> outcome = attempt(() -> broker.bury(List.of(Failure.bury(again.get(0).lease(),
                        AttemptError.reason(1, clock.instant(), "x", "buried"), true))));
                if (outcome != null && outcome.get(0) == Outcome.OK) buried = again.get(0).job().id();
            }
            assertThat(redis.sync().get(foreignKey)).as("foreign data is left alone").isEqualTo("someone else's");

            // the foreign key goes: every job accepted runs to its end, none half-moved
            redis.sync().del(foreignKey);
            for (int round = 0; round < 10; round++) {
                clock.advance(Duration.ofSeconds(70));
                for (LeasedJob l : broker.fetch(List.of(q), 100, Duration.ofSeconds(30))) {
                    broker.ack(List.of(new Completion(l.lease(), null)));
                }
            }
            for (String id : accepted) {
                JobInfo info = broker.get(id).orElseThrow(() -> new AssertionError("job " + id + " is lost"));
                assertThat(info.state()).as("job %s", id).isEqualTo(id.equals(buried) ? JobState.DEAD : JobState.SUCCEEDED);
            }
            for (Job j : jobs) {
                if (!accepted.contains(j.id())) assertThat(broker.get(j.id())).as("refused, so not stored").isEmpty();
            }
            assertThat(broker.fetch(List.of(q), 100, Duration.ofSeconds(30))).as("nothing left over").isEmpty();
            assertThat(redis.sync().zrange("{" + redis.prefix() + ":" + q + "}:all", 0, -1))
                    .as("ids stored: only those of calls that were not refused").containsExactlyInAnyOrderElementsOf(accepted);
        }
    }

    private static Job job(String queue, Instant runAt, Instant now, String uniqueKey) {
        return new Job(JobIds.next(java.time.Clock.fixed(now, java.time.ZoneOffset.UTC)), "t", queue, "{\"n\":1}",
                Map.of(), 5, 0, 0, 3, 3, runAt, now, null, null, uniqueKey, null, null, null);
    }

    /** The operation's answer, or null when it was refused (a broker error naming the foreign key). */
    private static <T> T attempt(java.util.function.Supplier<T> op) {
        try {
            return op.get();
        } catch (BrokerException refused) {
            return null;
        }
    }
}
