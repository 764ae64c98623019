package dev.conveyor.worker;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.LeasedJob;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fetch → dispatch loop of a worker:
 * <ol>
 *   <li>wait for at least one free slot (the worker's concurrency), then take as many more as are free, up
 *       to the fetch batch;</li>
 *   <li>lease that many jobs from the queues that are not paused in one {@code fetch} call and give back the slots it did not fill;</li>
 *   <li>hand each job to the worker to run on its own thread;</li>
 *   <li>when nothing was ready, wait on the broker's wake-up signal (or the poll interval).</li>
 * </ol>
 * A failed fetch is retried with backoff; the loop never dies of a broker error. On shutdown it stops
 * between fetches and hands back anything it leased after the stop began.
 */
final class Processor implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Processor.class);
    private static final Duration PAUSED_RECHECK = Duration.ofMillis(500);

    private final Broker broker;
    private final List<String> queues;
    private final int fetchBatch;
    private final Duration leaseFor;
    private final Duration pollInterval;
    private final Semaphore slots;
    private final Consumer<LeasedJob> dispatch;
    private final Consumer<List<LeasedJob>> handBack;
    private final java.util.function.UnaryOperator<List<String>> active;
    private final Object phaseLock = new Object();
    private volatile boolean stopping;
    private boolean waiting;
    private Thread thread;

    Processor(Broker broker, List<String> queues, int fetchBatch, Duration leaseFor, Duration pollInterval,
              Semaphore slots, Consumer<LeasedJob> dispatch, Consumer<List<LeasedJob>> handBack,
              java.util.function.UnaryOperator<List<String>> active) {
        this.broker = broker;
        this.queues = List.copyOf(queues);
        this.fetchBatch = fetchBatch;
        this.leaseFor = leaseFor;
        this.pollInterval = pollInterval;
        this.slots = slots;
        this.dispatch = dispatch;
        this.handBack = handBack;
        this.active = active;
    }

    @Override
    public void run() {
        synchronized (phaseLock) {
            thread = Thread.currentThread();
        }
        long backoffMs = 0;
        while (!stopping) {
            int taken;
            try {
                taken = takeSlots();
            } catch (InterruptedException e) {
                continue;
            }
            List<String> from = active.apply(queues);
            if (from.isEmpty()) { // every queue paused: check again soon, hold no slots meanwhile
                slots.release(taken);
                pause(PAUSED_RECHECK);
                continue;
            }
            List<LeasedJob> leased;
            try {
                leased = broker.fetch(from, taken, leaseFor);
                backoffMs = 0;
            } catch (RuntimeException e) {
                slots.release(taken);
                backoffMs = backoffMs == 0 ? 100 : Math.min(5_000, backoffMs * 2);
                log.warn("fetching jobs from {} failed: {}; retrying in {} ms", queues, e.toString(), backoffMs);
                pause(Duration.ofMillis(backoffMs));
                continue;
            }
            slots.release(taken - leased.size());
            if (stopping) {
                slots.release(leased.size());
                if (!leased.isEmpty()) handBack.accept(leased);
                break;
            }
            if (leased.isEmpty()) {
                waitForWork(from); // only the queues fetched from: a paused queue's backlog must not wake us
                continue;
            }
            for (LeasedJob job : leased) dispatch.accept(job);
        }
    }

    private int takeSlots() throws InterruptedException {
        setWaiting(true);
        try {
            if (stopping) throw new InterruptedException("stopping");
            slots.acquire();
        } finally {
            setWaiting(false);
        }
        int taken = 1;
        while (taken < fetchBatch && slots.tryAcquire()) taken++;
        return taken;
    }

    private void waitForWork(List<String> from) {
        setWaiting(true);
        try {
            if (!stopping) broker.awaitWork(from, pollInterval);
        } catch (RuntimeException e) {
            // A broker's wake-up failing (connection lost) must not end the loop: wait a poll interval instead.
            log.warn("waiting for work on {} failed: {}; polling again in {}", queues, e.toString(), pollInterval);
            try {
                if (!stopping) Thread.sleep(pollInterval);
            } catch (InterruptedException ignored) {
                // woken for shutdown
            }
        } finally {
            setWaiting(false);
        }
    }

    private void pause(Duration d) {
        setWaiting(true);
        try {
            if (!stopping) Thread.sleep(d);
        } catch (InterruptedException ignored) {
            // woken for shutdown
        } finally {
            setWaiting(false);
        }
    }

    private void setWaiting(boolean w) {
        synchronized (phaseLock) {
            waiting = w;
            if (!w) Thread.interrupted(); // clear a shutdown interrupt that arrived as the wait ended
        }
    }

    /** Stops the loop; interrupts it only while it waits, never in the middle of a broker call. */
    void stop() {
        stopping = true;
        synchronized (phaseLock) {
            if (waiting && thread != null) thread.interrupt();
        }
    }
}
