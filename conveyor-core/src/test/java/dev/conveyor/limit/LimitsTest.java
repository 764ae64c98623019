package dev.conveyor.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.memory.MemoryBroker;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.testing.DrainReport;
import dev.conveyor.testing.SettableClock;
import dev.conveyor.testing.TestWorker;
import dev.conveyor.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LimitsTest {
    record Call(String tenant, int n) {}

    final SettableClock clock = SettableClock.at(Instant.parse("2026-11-25T12:00:00Z"));
    final MemoryBroker broker = new MemoryBroker(new BrokerContext(clock));
    final List<Conveyor> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(Conveyor::close);
        broker.close();
    }

    Conveyor conveyor(Task<?, ?>... tasks) {
        Conveyor c = Conveyor.builder().broker(broker).clock(clock).tasks(tasks).build();
        open.add(c);
        return c;
    }

    List<JobInfo> jobs() {
        return broker.list(JobQuery.all(1000)).items();
    }

    @Test
    void aRateLimitSpacesStartsAndPostponesTheRestWithoutUsingAttemptsOrRecordingErrors() {
        AtomicInteger runs = new AtomicInteger();
        Task<Call, Void> api = Task.named("api", Call.class).rateLimit(5, Duration.ofSeconds(1)).action(c -> runs.incrementAndGet());
        Conveyor c = conveyor(api);
        for (int i = 0; i < 20; i++) c.enqueue(api, new Call("t", i));
        TestWorker w = TestWorker.of(c);
        DrainReport first = w.drain();
        assertThat(runs).as("the burst: 5 starts at once").hasValue(5);
        assertThat(first.retried()).as("the other 15 postponed").isEqualTo(15);
        assertThat(jobs()).filteredOn(j -> j.state() == JobState.SCHEDULED)
                .allSatisfy(j -> {
                    assertThat(j.job().attempt()).isZero();
                    assertThat(j.errors()).as("a postponement records no error").isEmpty();
                    assertThat(j.job().runAt()).isAfter(clock.instant());
                });
        // Over the next 3 simulated seconds: 5 per second more, never faster.
        w.drainAdvancing(clock, Duration.ofSeconds(3));
        assertThat(runs.get()).isBetween(5 + 14, 20);
        w.drainAdvancing(clock, Duration.ofSeconds(2));
        assertThat(runs).hasValue(20);
        assertThat(jobs()).allMatch(j -> j.state() == JobState.SUCCEEDED && j.job().attempt() == 0 && j.errors().isEmpty());
    }

    @Test
    void aRateLimitPerKeyCountsEachTenantSeparately() {
        AtomicInteger runs = new AtomicInteger();
        Task<Call, Void> api = Task.named("api", Call.class).rateLimit(2, Duration.ofMinutes(1), Call::tenant)
                .action(c -> runs.incrementAndGet());
        Conveyor c = conveyor(api);
        for (int i = 0; i < 5; i++) {
            c.enqueue(api, new Call("big", i));
            c.enqueue(api, new Call("small", i));
        }
        TestWorker.of(c).drain();
        assertThat(runs).as("2 per tenant").hasValue(4);
        assertThat(jobs()).filteredOn(j -> j.state() == JobState.SUCCEEDED)
                .extracting(j -> j.job().args().contains("big")).containsExactlyInAnyOrder(true, true, false, false);
    }

    @Test
    void aConcurrencyLimitPerKeyHoldsAcrossWorkersAndEveryJobStillRuns() throws Exception {
        // Real time here: two workers, handlers that take a while.
        MemoryBroker real = new MemoryBroker(BrokerContext.defaults());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        AtomicInteger otherMax = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        Task<Call, Void> sync = Task.named("sync", Call.class).concurrencyLimit(2, Call::tenant).action(c -> {
            AtomicInteger counter = c.tenant().equals("acme") ? running : other;
            int now = counter.incrementAndGet();
            (c.tenant().equals("acme") ? maxSeen : otherMax).accumulateAndGet(now, Math::max);
            Thread.sleep(30);
            counter.decrementAndGet();
        });
        try (Conveyor a = Conveyor.builder().broker(real).task(sync).build();
             Conveyor b = Conveyor.builder().broker(real).task(sync).build()) {
            List<JobHandle<Void>> handles = new ArrayList<>();
            for (int i = 0; i < 20; i++) handles.add(a.enqueue(sync, new Call("acme", i)));
            for (int i = 0; i < 6; i++) handles.add(a.enqueue(sync, new Call("globex", i)));
            WorkerOptions o = WorkerOptions.defaults().concurrency(16).pollInterval(Duration.ofMillis(20))
                    .heartbeatInterval(Duration.ofMillis(200));
            Worker wa = a.startWorker(o);
            Worker wb = b.startWorker(o);
            await().atMost(Duration.ofSeconds(60)).until(() -> handles.stream().allMatch(h -> h.state() == JobState.SUCCEEDED));
            assertThat(maxSeen.get()).as("never more than 2 acme jobs at once, across both workers").isBetween(1, 2);
            assertThat(otherMax.get()).isBetween(1, 2);
            assertThat(wa.stats().postponed() + wb.stats().postponed()).as("the rest waited their turn").isPositive();
            assertThat(wa.stats().retried() + wb.stats().retried() + wa.stats().dead() + wb.stats().dead()).isZero();
            for (JobHandle<Void> h : handles) assertThat(h.info().orElseThrow().job().attempt()).isZero();
        } finally {
            real.close();
        }
    }

    @Test
    void theSlotOfAJobWhoseWorkerDiedFreesItselfWhenItsLeaseEnds() {
        AtomicInteger runs = new AtomicInteger();
        Task<Call, Void> one = Task.named("one", Call.class).concurrencyLimit(1).action(c -> runs.incrementAndGet());
        Conveyor c = conveyor(one);
        // A crashed worker's slot: held until 60 s from now, never released.
        broker.compareAndSetState("limit:slots:one:0:*", null, "{\"ghost\":" + clock.instant().plusSeconds(60).toEpochMilli() + "}");
        c.enqueue(one, new Call("x", 1));
        TestWorker w = TestWorker.of(c);
        w.drain();
        assertThat(runs).as("the ghost holds the only slot").hasValue(0);
        w.drainAdvancing(clock, Duration.ofSeconds(61));
        assertThat(runs).hasValue(1);
        assertThat(broker.readState("limit:slots:one:0:*")).as("freed after the run").isEmpty();
    }

    @Test
    void keysThatAreNotPlainAreHashedAndNullExempts() {
        assertThat(Limiter.key("rate", "api", 0, null, new Call("x", 1))).isEqualTo("limit:rate:api:0:*");
        assertThat(Limiter.key("rate", "api", 1, a -> "tenant-7", null)).isEqualTo("limit:rate:api:1:=tenant-7");
        assertThat(Limiter.key("rate", "api", 0, a -> "", null)).as("an empty key is not the task-wide one")
                .isEqualTo("limit:rate:api:0:=");
        assertThat(Limiter.key("rate", "api", 0, a -> "Zürich office", null)).matches("limit:rate:api:0:h-[0-9a-f]{32}");
        assertThat(Limiter.key("rate", "api", 0, a -> null, null)).isNull();
    }

    @Test
    void limitsAreValidated() {
        assertThatThrownBy(() -> Task.named("t", Call.class).rateLimit(0, Duration.ofSeconds(1)))
                .hasMessageContaining("permits must be >= 1");
        assertThatThrownBy(() -> Task.named("t", Call.class).rateLimit(1, Duration.ZERO)).hasMessageContaining("at least 1 ms");
        assertThatThrownBy(() -> Task.named("t", Call.class).concurrencyLimit(0)).hasMessageContaining("must be 1-500");
        assertThatThrownBy(() -> Task.named("t", Call.class).concurrencyLimit(501)).hasMessageContaining("must be 1-500");
        assertThatThrownBy(() -> new RateLimit<Call>(5, Duration.ofSeconds(1), 6, null)).hasMessageContaining("burst must be 1-5");
    }

    // ---- regressions found in review -------------------------------------------------------------------------

    record Ping(String tenant) {}

    @Test
    void twoRunsOfTheSameJobUnderDifferentLeasesNeedTwoSlots() {
        Limiter a = new Limiter(broker, clock, Duration.ofSeconds(30));
        Limiter b = new Limiter(broker, clock, Duration.ofSeconds(30));
        List<ConcurrencyLimit<?>> one = List.of(new ConcurrencyLimit<Ping>(1, null));
        assertThat(a.acquire("t", one, List.of(), new Ping("a"), "job-1:1").allowed()).isTrue();
        assertThat(b.acquire("t", one, List.of(), new Ping("a"), "job-1:2").allowed())
                .as("a redelivery while the first run still holds the only slot").isFalse();
    }

    @Test
    void aSlotIsGivenBackWhenALaterKeyFunctionThrows() {
        Limiter limiter = new Limiter(broker, clock, Duration.ofSeconds(30));
        List<ConcurrencyLimit<?>> limits = List.of(new ConcurrencyLimit<Ping>(1, null),
                new ConcurrencyLimit<Ping>(1, p -> {
                    throw new IllegalStateException("bad args");
                }));
        assertThatThrownBy(() -> limiter.acquire("t", limits, List.of(), new Ping("a"), "job-1:1"))
                .hasMessageContaining("bad args");
        assertThat(limiter.acquire("t", List.of(new ConcurrencyLimit<Ping>(1, null)), List.of(), new Ping("b"), "job-2:1")
                .allowed()).isTrue();
    }

    @Test
    void aRunRefusedByOneRateLimitGivesBackTheStartsOfTheOthers() {
        Limiter limiter = new Limiter(broker, clock, Duration.ofSeconds(30));
        List<RateLimit<?>> rates = List.of(new RateLimit<Ping>(5, Duration.ofHours(1), 5, null),
                new RateLimit<Ping>(1, Duration.ofHours(1), 1, Ping::tenant));
        int ran = 0;
        for (int i = 0; i < 5; i++) if (limiter.acquire("t", List.of(), rates, new Ping("a"), "a" + i).allowed()) ran++;
        assertThat(ran).as("tenant a: 1 per hour").isEqualTo(1);
        assertThat(limiter.acquire("t", List.of(), rates, new Ping("b"), "b0").allowed())
                .as("the global limit still has starts for tenant b").isTrue();
    }

    @Test
    void twoLimitsWhoseKeysAreEqualStrings() {
        Limiter limiter = new Limiter(broker, clock, Duration.ofSeconds(30));
        // Per host and per tenant, both "x" here: each is its own limit.
        List<ConcurrencyLimit<?>> limits = List.of(new ConcurrencyLimit<Ping>(1, p -> "x"), new ConcurrencyLimit<Ping>(5, p -> "x"));
        assertThat(limiter.acquire("t", limits, List.of(), new Ping("a"), "j1:1").allowed()).isTrue();
        assertThat(broker.readStates("limit:slots:t:")).hasSize(2);
    }
}
