package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.broker.Capability;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Broker.awaitWork: wakes on an enqueue (PUSH_WAKEUP), gives up after maxWait, and honours interrupts.
 * Time bounds here are generous on purpose: these check that the wake-up works, they do not benchmark it.
 */
abstract class WakeUpSuite extends SuiteBase {
    /** A wait long enough that returning well before it can only mean the broker woke the waiter. */
    private static final Duration LONG_WAIT = Duration.ofSeconds(20);
    private static final long PROMPT_MS = 5_000;

    @Test
    void awaitWorkReturnsPromptlyAfterAnEnqueueFromAnotherThread() throws Exception {
        requires(Capability.PUSH_WAKEUP);
        String q = queue();
        CompletableFuture<Long> waited = new CompletableFuture<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            long t0 = System.nanoTime();
            broker().awaitWork(List.of(q), LONG_WAIT);
            waited.complete((System.nanoTime() - t0) / 1_000_000);
        });
        untilParked(waiter);
        enqueue(job(q).build());
        long ms = waited.get(PROMPT_MS, TimeUnit.MILLISECONDS);
        assertThat(ms).as("ms waited after an enqueue, with maxWait %s", LONG_WAIT).isLessThan(PROMPT_MS);
        assertThat(fetch(q, 10)).hasSize(1);
    }

    @Test
    void awaitWorkReturnsAtOnceWhenWorkIsAlreadyReady() {
        requires(Capability.PUSH_WAKEUP);
        String q = queue();
        enqueue(job(q).build());
        long t0 = System.nanoTime();
        broker().awaitWork(List.of(q), LONG_WAIT);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(PROMPT_MS);
    }

    @Test
    void awaitWorkReturnsAfterMaxWaitWhenNothingArrives() throws Exception {
        String q = queue();
        CompletableFuture<Void> waited = CompletableFuture.runAsync(
                () -> broker().awaitWork(List.of(q), Duration.ofMillis(100)));
        waited.get(PROMPT_MS, TimeUnit.MILLISECONDS); // returns (early is allowed), never hangs
        assertNothingToFetch(q);
    }

    @Test
    void awaitWorkReturnsWithTheInterruptFlagSetWhenInterrupted() throws Exception {
        String q = queue();
        AtomicBoolean flagAfter = new AtomicBoolean();
        CompletableFuture<Void> waited = new CompletableFuture<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            // Early returns are allowed, so wait again until interrupted: a broker that swallows the interrupt
            // keeps this loop going for LONG_WAIT and the test fails on its bound.
            long end = System.nanoTime() + LONG_WAIT.toNanos();
            while (!Thread.currentThread().isInterrupted() && System.nanoTime() < end) {
                broker().awaitWork(List.of(q), LONG_WAIT);
            }
            flagAfter.set(Thread.currentThread().isInterrupted());
            waited.complete(null);
        });
        untilParked(waiter);
        waiter.interrupt();
        waited.get(PROMPT_MS, TimeUnit.MILLISECONDS);
        assertThat(flagAfter).as("interrupt flag still set").isTrue();
    }

    /**
     * Gives the waiter a moment to get into its wait, so the event under test arrives while it waits. Not an
     * assertion: a broker that blocks in I/O (thread RUNNABLE) just gets the whole second.
     */
    private static void untilParked(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < deadline) {
            Thread.State s = t.getState();
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.TERMINATED) return;
            LockSupport.parkNanos(1_000_000);
        }
    }
}
