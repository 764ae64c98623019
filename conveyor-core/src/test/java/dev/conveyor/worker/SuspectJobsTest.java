package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Brokers;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobIds;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A job whose worker was lost while running it runs alone, so a JVM-killing handler takes no one down with it. */
class SuspectJobsTest {
    record Step(String name) {}

    @Test
    void onlyAJobOneLostLeaseFromQuarantineIsASuspect() {
        Instant now = Instant.now();
        java.util.function.BiFunction<Integer, Integer, dev.conveyor.broker.LeasedJob> leased = (deliveries, attempt) ->
                new dev.conveyor.broker.LeasedJob(new Job("id", "t", "default", "{}", Map.of(), 5, attempt, deliveries,
                        10, 3, now, now, null, null, null, null, null, null), new dev.conveyor.broker.Lease("id", 1), now);
        assertThat(Processor.isSuspect(leased.apply(1, 0))).as("first delivery").isFalse();
        assertThat(Processor.isSuspect(leased.apply(2, 0))).as("one lease lost").isFalse();
        assertThat(Processor.isSuspect(leased.apply(3, 0))).as("two lost: the next would quarantine it").isTrue();
        assertThat(Processor.isSuspect(leased.apply(3, 2))).as("two failed attempts, no lease lost").isFalse();
        assertThat(Processor.isSuspect(leased.apply(4, 0))).as("three lost: quarantined unrun, not run alone").isFalse();
    }

    @Test
    void aSuspectWaitsForRunningJobsAndNothingStartsBesideIt() throws Exception {
        Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
        Set<String> running = ConcurrentHashMap.newKeySet();
        Set<String> done = ConcurrentHashMap.newKeySet();
        Set<String> overlaps = ConcurrentHashMap.newKeySet();
        Task<Step, Void> step = Task.named("step", Step.class).action(s -> {
            running.add(s.name());
            if (s.name().equals("suspect") && running.size() > 1) overlaps.add("suspect started beside " + running);
            if (!s.name().equals("suspect") && running.contains("suspect")) overlaps.add(s.name() + " started beside the suspect");
            CountDownLatch gate = gates.get(s.name());
            if (gate != null) gate.await();
            running.remove(s.name());
            done.add(s.name());
        });
        gates.put("slow", new CountDownLatch(1));
        gates.put("suspect", new CountDownLatch(1));
        try (Broker broker = Brokers.open("memory:", new BrokerContext(Clock.systemUTC()));
             Conveyor c = Conveyor.builder().broker(broker).task(step).build()) {
            c.startWorker(WorkerOptions.defaults().concurrency(4).pollInterval(Duration.ofMillis(20)));
            c.enqueue(step, new Step("slow"));
            await().atMost(Duration.ofSeconds(10)).until(() -> running.contains("slow"));

            // Two lost leases already (deliveries 2, attempt 0, maxDeliveries 3): one more would quarantine it.
            Instant now = Instant.now();
            broker.enqueue(List.of(new Job(JobIds.next(Clock.systemUTC()), "step", "default", "{\"name\":\"suspect\"}",
                    Map.of(), 5, 0, 2, 3, 3, now, now, null, null, null, null, null, null)));
            Thread.sleep(300);
            assertThat(running).as("the suspect waits for the slow job").doesNotContain("suspect");

            gates.get("slow").countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> running.contains("suspect"));
            c.enqueue(step, new Step("after"));
            Thread.sleep(300);
            assertThat(running).as("nothing starts beside the suspect").containsExactly("suspect");

            gates.get("suspect").countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> done.contains("after"));
            assertThat(overlaps).isEmpty();
            assertThat(done).containsExactlyInAnyOrder("slow", "suspect", "after");
        }
    }

    @Test
    void aRedeliveredJobIsMarkedStartedBeforeItsHandlerRunsAndAFirstDeliveryIsNot() throws Exception {
        List<String> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Task<Step, Void> step = Task.named("step", Step.class).action(s -> {
            events.add("start " + s.name());
        });
        try (Broker memory = Brokers.open("memory:", new BrokerContext(Clock.systemUTC()))) {
            Broker recording = (Broker) java.lang.reflect.Proxy.newProxyInstance(Broker.class.getClassLoader(),
                    new Class<?>[] {Broker.class}, (proxy, method, args) -> {
                        if (method.getName().equals("markStarted")) {
                            for (Object l : (List<?>) args[0]) events.add("mark " + ((dev.conveyor.broker.Lease) l).jobId());
                        }
                        try {
                            return method.invoke(memory, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            Instant now = Instant.now();
            String redelivered = JobIds.next(Clock.systemUTC());
            memory.enqueue(List.of(new Job(redelivered, "step", "default", "{\"name\":\"redelivered\"}",
                    Map.of(), 5, 0, 1, 3, 3, now, now, null, null, null, null, null, null))); // one lease lost before
            try (Conveyor c = Conveyor.builder().broker(recording).task(step).build()) {
                c.enqueue(step, new Step("fresh"));
                c.startWorker(WorkerOptions.defaults().concurrency(4).pollInterval(Duration.ofMillis(20)));
                await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 3);
            }
            assertThat(events).containsSubsequence("mark " + redelivered, "start redelivered");
            assertThat(events).contains("start fresh");
            assertThat(events.stream().filter(e -> e.startsWith("mark"))).hasSize(1);
        }
    }
}
