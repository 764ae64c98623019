package dev.conveyor.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Brokers;
import dev.conveyor.broker.Completion;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobIds;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A result waiter on PostgreSQL hears of a finish in another process by NOTIFY: the waiter here is told never to
 * read again on its own before its timeout, so it can only return the finished job if the notification arrived.
 */
class PostgresResultWakeUpTest {
    @Test
    void aWaiterIsWokenByAnAckCommittedElsewhere() throws Exception {
        try (PostgresTestDatabase db = new PostgresTestDatabase();
             SqlBroker producer = (SqlBroker) Brokers.open(db.url(""), new BrokerContext(Clock.systemUTC()));
             SqlBroker waiter = (SqlBroker) Brokers.open(db.url(""), new BrokerContext(Clock.systemUTC()))) {
            waiter.finishedNewsArrivesWithin(Duration.ofHours(1)); // only a notification makes it read again
            Instant now = Instant.now();
            String id = JobIds.next(Clock.systemUTC());
            producer.enqueue(List.of(new Job(id, "t", "wake", "{}", Map.of(), 5, 0, 0, 3, 3, now, now,
                    null, null, null, null, null, null)));
            CompletableFuture<Optional<JobInfo>> awaited =
                    CompletableFuture.supplyAsync(() -> waiter.awaitFinished(id, Duration.ofSeconds(60)));
            Thread.sleep(300); // let the waiter read the job unfinished and wait (a later start only reads it done)
            LeasedJob leased = producer.fetch(List.of("wake"), 1, Duration.ofSeconds(30)).get(0);
            long acked = System.nanoTime();
            producer.ack(List.of(new Completion(leased.lease(), "{\"ok\":true}")));
            Optional<JobInfo> info = awaited.get(45, java.util.concurrent.TimeUnit.SECONDS);
            // well before any read of its own (a missing notification left it waiting ~30 s here)
            assertThat(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - acked))
                    .as("woken by the notification").isLessThan(10_000);
            assertThat(info).isPresent();
            assertThat(info.get().state()).isEqualTo(JobState.SUCCEEDED);
        }
    }
}
