package dev.conveyor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.broker.BrokerException;
import dev.conveyor.broker.EnqueueResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Concurrent enqueue calls share store calls, and each caller gets its own results and errors (no Redis here). */
class EnqueueCombinerTest {
    private static String item(String id) {
        return id;
    }

    private static EnqueueCombiner<String> combiner(java.util.function.Function<List<String>, Object[]> store) {
        return new EnqueueCombiner<>(1000, 1, "test broker", store);
    }

    /** A store that takes {@code millis} per call, answers each item stored, and records every batch. */
    private static Function<List<String>, Object[]> slowStore(List<List<String>> batches, long millis) {
        return items -> {
            batches.add(List.copyOf(items));
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                throw new AssertionError("the storing thread was interrupted", e);
            }
            Object[] out = new Object[items.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = items.get(i).startsWith("bad") ? new BrokerException("foreign data at " + items.get(i))
                        : new EnqueueResult(items.get(i), false);
            }
            return out;
        };
    }

    @Test
    void concurrentCallsShareStoreCallsAndEachGetsItsOwnResults() throws Exception {
        List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
        EnqueueCombiner<String> combiner = combiner(slowStore(batches, 2));
        Map<String, List<EnqueueResult>> got = new ConcurrentHashMap<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 300; t++) {
                String id = "job-" + t;
                callers.submit(() -> got.put(id, combiner.enqueue(List.of(item(id)))));
            }
        }
        assertThat(got).hasSize(300);
        got.forEach((id, results) -> assertThat(results).extracting(EnqueueResult::id).containsExactly(id));
        List<String> stored = batches.stream().flatMap(List::stream).toList();
        assertThat(stored).hasSize(300).doesNotHaveDuplicates();
        assertThat(batches.size()).as("store calls for 300 concurrent one-job calls").isLessThan(150);
        assertThat(batches).allSatisfy(b -> assertThat(b.size()).isLessThanOrEqualTo(1000));
    }

    /** An interrupt of the threads in a batch (one of them stores it) does not reach the store of their batch. */
    @Test
    void interruptingTheCallersOfABatchBeingStoredDoesNotFailIt() throws Exception {
        CountDownLatch firstStoring = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch secondStoring = new CountDownLatch(1);
        CountDownLatch releaseSecond = new CountDownLatch(1);
        EnqueueCombiner<String> combiner = combiner(items -> {
            CountDownLatch[] gate = items.contains("first") ? new CountDownLatch[] {firstStoring, releaseFirst}
                    : new CountDownLatch[] {secondStoring, releaseSecond};
            gate[0].countDown();
            try {
                gate[1].await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new BrokerException("the store was interrupted");
            }
            if (Thread.currentThread().isInterrupted()) throw new BrokerException("the store's thread was interrupted");
            Object[] out = new Object[items.size()];
            for (int i = 0; i < out.length; i++) out[i] = new EnqueueResult(items.get(i), false);
            return out;
        });
        Thread first = Thread.ofVirtual().start(() -> combiner.enqueue(List.of("first")));
        assertThat(firstStoring.await(10, TimeUnit.SECONDS)).isTrue();
        Map<String, Object> got = new ConcurrentHashMap<>();
        List<Thread> callers = new ArrayList<>();
        for (String id : List.of("b", "c")) {
            callers.add(Thread.ofVirtual().start(() -> {
                try {
                    got.put(id, combiner.enqueue(List.of(id)));
                } catch (RuntimeException e) {
                    got.put(id, e);
                }
                got.put(id + ".interrupted", Thread.currentThread().isInterrupted());
            }));
        }
        Thread.sleep(50); // both wait behind the first store
        releaseFirst.countDown();
        assertThat(secondStoring.await(10, TimeUnit.SECONDS)).as("b and c stored together").isTrue();
        callers.forEach(Thread::interrupt); // one of them is storing the batch, the other waits for it
        Thread.sleep(20);
        releaseSecond.countDown();
        for (Thread t : callers) t.join(10_000);
        first.join(10_000);
        assertThat(got.get("b")).isEqualTo(List.of(new EnqueueResult("b", false)));
        assertThat(got.get("c")).isEqualTo(List.of(new EnqueueResult("c", false)));
        assertThat(got.get("b.interrupted")).as("the interrupt is kept for the caller").isEqualTo(true);
        assertThat(got.get("c.interrupted")).isEqualTo(true);
    }

    @Test
    void batchesAreStoredInAtMostLanesAtOnce() throws Exception {
        java.util.concurrent.atomic.AtomicInteger now = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        EnqueueCombiner<String> combiner = new EnqueueCombiner<>(10, 3, "test broker", items -> {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                Thread.sleep(3);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                now.decrementAndGet();
            }
            Object[] out = new Object[items.size()];
            for (int i = 0; i < out.length; i++) out[i] = new EnqueueResult(items.get(i), false);
            return out;
        });
        Map<String, List<EnqueueResult>> got = new ConcurrentHashMap<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 300; t++) {
                List<String> ids = new ArrayList<>();
                for (int k = 0; k < 10; k++) ids.add("job-" + t + "-" + k); // full batches: extra lanes open
                callers.submit(() -> got.put(ids.get(0), combiner.enqueue(ids)));
            }
        }
        assertThat(got).hasSize(300);
        got.forEach((id, results) -> assertThat(results).hasSize(10).first().extracting(EnqueueResult::id).isEqualTo(id));
        assertThat(most.get()).as("batches stored at once").isBetween(2, 3);

        most.set(0);
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 4; t++) {
                String id = "single-" + t;
                callers.submit(() -> combiner.enqueue(List.of(id)));
            }
        }
        assertThat(most.get()).as("a second lane while less than a full batch waits").isEqualTo(1);
    }

    @Test
    void anErrorOfOneItemFailsOnlyItsCallerAndAnErrorOfTheCallFailsEveryCallerInIt() throws Exception {
        List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
        EnqueueCombiner<String> combiner = combiner(slowStore(batches, 5));
        List<Future<List<EnqueueResult>>> calls = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 50; t++) {
                List<String> items = t == 7 ? List.of(item("good-7a"), item("bad-7"), item("good-7b"))
                        : List.of(item("good-" + t));
                calls.add(callers.submit(() -> combiner.enqueue(items)));
            }
        }
        for (int t = 0; t < 50; t++) {
            if (t == 7) {
                int caller = t;
                assertThatThrownBy(() -> calls.get(caller).get()).hasCauseInstanceOf(BrokerException.class)
                        .hasMessageContaining("bad-7");
            } else {
                assertThat(calls.get(t).get()).extracting(EnqueueResult::id).containsExactly("good-" + t);
            }
        }

        EnqueueCombiner<String> down = combiner(items -> {
            throw new BrokerException("Redis at 127.0.0.1:1 is not reachable");
        });
        assertThatThrownBy(() -> down.enqueue(List.of(item("x")))).hasMessageContaining("not reachable");
        assertThatThrownBy(() -> down.enqueue(List.of(item("y")))).as("the next call tries again")
                .hasMessageContaining("not reachable");
    }

    @Test
    void aCallerInterruptedBeforeItsBatchWasTakenStoresNothingAndTheOthersGoOn() throws Exception {
        CountDownLatch firstStoring = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
        EnqueueCombiner<String> combiner = combiner(items -> {
            batches.add(List.copyOf(items));
            firstStoring.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            Object[] out = new Object[items.size()];
            for (int i = 0; i < out.length; i++) out[i] = new EnqueueResult(items.get(i), false);
            return out;
        });
        Thread first = Thread.ofVirtual().start(() -> combiner.enqueue(List.of(item("first"))));
        assertThat(firstStoring.await(10, TimeUnit.SECONDS)).isTrue();
        List<Throwable> failed = Collections.synchronizedList(new ArrayList<>());
        Thread waiting = Thread.ofVirtual().start(() -> {
            try {
                combiner.enqueue(List.of(item("interrupted")));
            } catch (BrokerException e) {
                failed.add(e);
            }
        });
        Thread.sleep(50); // parked behind the first call's store
        waiting.interrupt();
        waiting.join(10_000);
        assertThat(failed).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("none was stored"));
        release.countDown();
        first.join(10_000);
        assertThat(combiner.enqueue(List.of(item("later")))).extracting(EnqueueResult::id).containsExactly("later");
        assertThat(batches).containsExactly(List.of("first"), List.of("later"));
    }
}
