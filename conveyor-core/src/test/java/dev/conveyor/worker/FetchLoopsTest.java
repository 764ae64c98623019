package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Brokers;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A worker with two fetch loops (WorkerOptions.fetchers): both fetch under a backlog, one at light load. */
class FetchLoopsTest {
    record Item(int n) {}

    /** One broker fetch: the loop's thread, how many jobs it asked for, how many it got. */
    record Fetch(String thread, int asked, int got) {}

    /** The broker with every fetch recorded (a proxy, so the worker sees a plain Broker). */
    private static Broker recording(Broker broker, List<Fetch> fetches) {
        return (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(), new Class<?>[] {Broker.class},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(broker, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("fetch")) {
                        fetches.add(new Fetch(Thread.currentThread().getName(), (Integer) args[1],
                                ((List<?>) result).size()));
                    }
                    return result;
                });
    }

    private static WorkerOptions twoLoops() {
        return WorkerOptions.defaults().fetchers(2).pollInterval(Duration.ofMillis(20)).shutdownOnSigterm(false);
    }

    @Test
    void underABacklogBothLoopsFetchAndEveryJobRunsOnce() {
        Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
        Task<Item, Void> count = Task.named("count", Item.class)
                .action(i -> { runs.computeIfAbsent(i.n(), k -> new AtomicInteger()).incrementAndGet(); });
        List<Fetch> fetches = new CopyOnWriteArrayList<>();
        try (Broker memory = Brokers.open("memory:", new BrokerContext(Clock.systemUTC()));
             Conveyor c = Conveyor.builder().broker(recording(memory, fetches)).task(count).build()) {
            List<Item> items = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) items.add(new Item(i));
            c.enqueueAll(count, items);
            c.startWorker(twoLoops().concurrency(16).fetchBatch(4));
            await().atMost(Duration.ofSeconds(30)).until(() -> runs.size() == 3_000);
        }
        assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).as("runs of one job").isEqualTo(1));
        assertThat(fetches).as("the second loop fetched under the backlog")
                .anySatisfy(f -> assertThat(f.thread()).isEqualTo("conveyor-processor-2"));
        assertThat(fetches.stream().mapToInt(Fetch::got).sum()).isEqualTo(3_000);
    }

    @Test
    void atLightLoadOnlyTheFirstLoopFetches() {
        AtomicInteger done = new AtomicInteger();
        Task<Item, Void> count = Task.named("count", Item.class).action(i -> { done.incrementAndGet(); });
        List<Fetch> fetches = new CopyOnWriteArrayList<>();
        try (Broker memory = Brokers.open("memory:", new BrokerContext(Clock.systemUTC()));
             Conveyor c = Conveyor.builder().broker(recording(memory, fetches)).task(count).build()) {
            c.startWorker(twoLoops().concurrency(8).fetchBatch(4));
            for (int i = 1; i <= 20; i++) {
                c.enqueue(count, new Item(i));
                int want = i;
                await().atMost(Duration.ofSeconds(10)).until(() -> done.get() == want);
            }
        }
        assertThat(fetches).as("every fetch came back short of its batch, so the second loop never fetched")
                .isNotEmpty()
                .allSatisfy(f -> assertThat(f.thread()).isEqualTo("conveyor-processor"));
    }

    /**
     * Suspects (jobs one lost lease from quarantine) run alone with two busy loops: each waits for every running
     * job to end and nothing starts beside it. Two at once, so that both loops may lease one: if both then waited
     * for every slot, each holding its own suspect's, neither would ever run.
     */
    @Test
    void suspectsRunAloneOneAtATimeWhileBothLoopsAreBusy() {
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        java.util.Set<String> running = ConcurrentHashMap.newKeySet();
        List<String> overlaps = new CopyOnWriteArrayList<>();
        record Step(String name) {}
        Task<Step, Void> step = Task.named("step", Step.class).action(s -> {
            running.add(s.name());
            boolean suspect = s.name().startsWith("suspect");
            if (suspect && running.size() > 1) overlaps.add(s.name() + " started beside " + running);
            if (!suspect && running.stream().anyMatch(r -> r.startsWith("suspect"))) {
                overlaps.add(s.name() + " started beside " + running);
            }
            Thread.sleep(suspect ? 50 : 2);
            running.remove(s.name());
            runs.computeIfAbsent(s.name(), k -> new AtomicInteger()).incrementAndGet();
        });
        List<Fetch> fetches = new CopyOnWriteArrayList<>();
        try (Broker memory = Brokers.open("memory:", new BrokerContext(Clock.systemUTC()));
             Conveyor c = Conveyor.builder().broker(recording(memory, fetches)).task(step).build()) {
            List<Step> fillers = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) fillers.add(new Step("filler-" + i));
            c.enqueueAll(step, fillers);
            c.startWorker(twoLoops().concurrency(8).fetchBatch(4));
            await().atMost(Duration.ofSeconds(30)).until(() -> runs.size() >= 100);
            // Two lost leases already (deliveries 2, attempt 0, maxDeliveries 3); priority 9, so they are leased next.
            java.time.Instant now = java.time.Instant.now();
            List<dev.conveyor.job.Job> suspects = new ArrayList<>();
            for (String name : List.of("suspect-1", "suspect-2")) {
                suspects.add(new dev.conveyor.job.Job(dev.conveyor.job.JobIds.next(Clock.systemUTC()), "step",
                        "default", "{\"name\":\"" + name + "\"}", Map.of(), 9, 0, 2, 3, 3, now, now,
                        null, null, null, null, null, null));
            }
            memory.enqueue(suspects);
            await().atMost(Duration.ofSeconds(60)).until(() -> runs.size() == 2_002);
        }
        assertThat(overlaps).isEmpty();
        assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).as("runs of one job").isEqualTo(1));
        assertThat(fetches).anySatisfy(f -> assertThat(f.thread()).isEqualTo("conveyor-processor-2"));
    }

    @Test
    void fetchersOutOfRangeIsAClearError() {
        assertThatThrownBy(() -> WorkerOptions.defaults().fetchers(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fetchers must be between 1 and 8, was 0");
        assertThat(WorkerOptions.defaults().fetchers()).isEqualTo(2);
    }
}
