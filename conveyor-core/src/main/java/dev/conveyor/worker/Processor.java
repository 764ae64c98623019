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
 *   <li>wait for at least one free slot (the worker's concurrency, plus the jobs it may hold ahead of free ones:
 *       see {@link HeldJobs}), then take as many more as are free, up to the fetch batch;</li>
 *   <li>lease that many jobs from the queues that are not paused in one {@code fetch} call and give back the slots it did not fill;</li>
 *   <li>hand each job to the worker to run on its own thread — except a <em>suspect</em>, a job one lost lease
 *       away from quarantine: that one runs alone (see {@link #isSuspect}, {@link #runAlone});</li>
 *   <li>when the fetch found fewer jobs than it asked for (the queues are drained), wait on the broker's
 *       wake-up signal (or the poll interval) before the next fetch.</li>
 * </ol>
 * A failed fetch is retried with backoff; the loop never dies of a broker error. On shutdown it stops
 * between fetches and hands back anything it leased after the stop began.
 *
 * <p>A worker may run several such loops ({@code WorkerOptions.fetchers}) over one set of slots, so that one
 * fetch is in flight while another's jobs are being dispatched. They share a {@link Loops}: the extra loops
 * fetch only while the last fetch came back full (at light load one loop fetches, one broker call per
 * wake-up), and lease nothing before the first handler started; one loop at a time runs a suspect alone.
 */
final class Processor implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Processor.class);
    private static final Duration PAUSED_RECHECK = Duration.ofMillis(500);

    private final Broker broker;
    private final List<String> queues;
    private final int fetchBatch;
    /** The worker's slots: its concurrency plus the jobs it may hold ahead of free ones (prefetch). */
    private final int capacity;
    private final java.util.concurrent.CountDownLatch firstStart;
    private boolean warm;
    /** The last batch held suspects: lease one job at a time until a batch holds none (see {@link #runAlone}). */
    private boolean cautious;
    private final Duration leaseFor;
    private final Duration pollInterval;
    private final Semaphore slots;
    private final Consumer<LeasedJob> dispatch;
    private final Consumer<List<LeasedJob>> handBack;
    private final java.util.function.UnaryOperator<List<String>> active;
    /** 0 for the first loop of a worker, which alone fetches at light load. */
    private final int index;
    private final Loops loops;
    private final Object phaseLock = new Object();
    private volatile boolean stopping;
    private boolean waiting;
    private Thread thread;

    Processor(Broker broker, List<String> queues, int fetchBatch, int capacity,
              java.util.concurrent.CountDownLatch firstStart, Duration leaseFor, Duration pollInterval,
              Semaphore slots, Consumer<LeasedJob> dispatch, Consumer<List<LeasedJob>> handBack,
              java.util.function.UnaryOperator<List<String>> active, int index, Loops loops) {
        this.broker = broker;
        this.queues = List.copyOf(queues);
        this.fetchBatch = fetchBatch;
        this.capacity = capacity;
        this.firstStart = firstStart;
        this.leaseFor = leaseFor;
        this.pollInterval = pollInterval;
        this.slots = slots;
        this.dispatch = dispatch;
        this.handBack = handBack;
        this.active = active;
        this.index = index;
        this.loops = loops;
    }

    /** What the fetch loops of one worker share. */
    static final class Loops {
        /**
         * Held by the loop running a suspect alone. Exclusion itself comes from the slots (that loop holds every
         * one while the suspect runs); this keeps a second loop from doing the same at once: each would hold its
         * own suspect's slot while waiting for all the others, and neither would ever have them.
         */
        final java.util.concurrent.locks.ReentrantLock alone = new java.util.concurrent.locks.ReentrantLock();
        private boolean busy;

        /** Records whether the last fetch came back full; the extra loops fetch only while it did. */
        synchronized void busy(boolean full) {
            if (full && !busy) notifyAll();
            busy = full;
        }

        synchronized boolean awaitBusy(Duration most) throws InterruptedException {
            if (!busy) wait(Math.max(1, most.toMillis()));
            return busy;
        }
    }

    @Override
    public void run() {
        synchronized (phaseLock) {
            thread = Thread.currentThread();
        }
        if (index > 0) awaitWarm(); // an extra loop leases nothing before the first handler started
        long backoffMs = 0;
        while (!stopping) {
            if (index > 0 && !awaitBusy()) continue;
            int taken;
            try {
                taken = takeSlots(warm && !cautious ? fetchBatch : 1);
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
            loops.busy(warm && leased.size() == taken);
            if (leased.isEmpty()) {
                waitForWork(from); // only the queues fetched from: a paused queue's backlog must not wake us
                continue;
            }
            List<LeasedJob> suspects = new java.util.ArrayList<>(0);
            for (LeasedJob job : leased) {
                if (isSuspect(job)) suspects.add(job);
                else dispatch.accept(job);
            }
            cautious = !suspects.isEmpty();
            if (cautious) runAlone(suspects);
            if (!warm) {
                awaitWarm();
            } else if (leased.size() < taken && !cautious) {
                // The queues had fewer ready jobs than we asked for: they were drained. Fetching again at once would
                // find them empty (at light load, a second broker call for every job); wait instead. A job that
                // arrived since this fetch began ends the wait at once (Broker#awaitWork).
                waitForWork(from);
            }
        }
    }

    /** An extra loop waits (a poll interval at most) until the last fetch came back full; false if it did not. */
    private boolean awaitBusy() {
        setWaiting(true);
        try {
            return !stopping && loops.awaitBusy(pollInterval);
        } catch (InterruptedException e) {
            return false; // shutdown
        } finally {
            setWaiting(false);
        }
    }

    /**
     * A new worker leases one job, then waits (up to a third of a lease, at most 2 s) for a handler to start before it leases
     * more: a JVM that is still loading classes can take a second to start its first jobs, and if it dies
     * meanwhile (a crash loop, an orchestrator killing a pod that is not ready) every job it leased loses a
     * delivery it never ran — three such deaths quarantine an innocent job (found by the kill-storm scenario).
     */
    private void awaitWarm() {
        warm = true;
        setWaiting(true);
        try {
            if (!stopping) firstStart.await(Math.clamp(leaseFor.toMillis() / 3, 1, 2_000), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException ignored) {
            // shutdown
        } finally {
            setWaiting(false);
        }
    }

    /**
     * A job whose next lost lease would quarantine it ({@code maxDeliveries - 1} lost already, at least one): it may
     * be what kills workers, and it must not be quarantined for dying beside one. Jobs that lost fewer run as
     * usual, so a worker killed now and then (a deploy, an OOM kill) costs no isolation rounds; an innocent job
     * can lose at most {@code maxDeliveries - 1} leases beside a poison before it runs alone.
     */
    static boolean isSuspect(LeasedJob job) {
        int lostBefore = JobExecutor.lostLeases(job.job());
        // One that lost maxDeliveries already is no suspect: it is quarantined unrun (JobExecutor), at once.
        return lostBefore >= Math.max(1, job.job().maxDeliveries() - 1) && lostBefore < job.job().maxDeliveries();
    }

    /**
     * Runs one suspect with nothing else in flight: first waits for every running job to end (fetching nothing
     * meanwhile), then runs it alone, and fetches again only when it ended. A handler that crashes its JVM then
     * costs a delivery to itself only; without this, the jobs that happened to be leased beside it would lose
     * one with every crash and be quarantined with it after {@code maxDeliveries}. Other suspects of the batch go
     * back at once (a hand-back costs no delivery) for this or another worker to run alone in turn, and the next
     * fetches lease one job at a time until a batch holds no suspect: leasing every waiting suspect again each
     * round would put all of them in the worker's hands, and a worker killed then would cost each a delivery
     * (found by the kill-storm scenario on Redis: suspects quarantined by a kill between lease and hand-back).
     * While it waits its turn, the suspect keeps its lease by explicit extension.
     */
    private void runAlone(List<LeasedJob> suspects) {
        if (!loops.alone.tryLock()) {
            // Another loop is running one alone and waits for every slot, this suspect's too: back they go, at no
            // cost, for a later round (waiting here, holding the slot, would stall both loops for good).
            slots.release(suspects.size());
            handBack.accept(suspects);
            return;
        }
        try {
            runAloneHeld(suspects);
        } finally {
            loops.alone.unlock();
        }
    }

    private void runAloneHeld(List<LeasedJob> suspects) {
        List<LeasedJob> pending = new java.util.ArrayList<>(suspects.subList(0, 1));
        if (suspects.size() > 1) {
            List<LeasedJob> later = suspects.subList(1, suspects.size());
            slots.release(later.size());
            handBack.accept(later);
        }
        int held = 0;
        try {
            // every slot but the suspect's: no other job running, and none held ahead of a free slot (HeldJobs)
            held += acquireWhileExtending(capacity - 1, pending);
            if (!pending.isEmpty() && !stopping) {
                LeasedJob next = pending.remove(0);
                log.info("job {} ({}) lost its worker {} time(s) before: running it alone", next.job().id(),
                        next.job().task(), JobExecutor.lostLeases(next.job()));
                dispatch.accept(next);
                held += acquireWhileExtending(1, pending); // its slot comes back when it ends
            }
        } catch (InterruptedException e) {
            // shutdown: a suspect that did not start goes back below
        } finally {
            if (!pending.isEmpty()) {
                slots.release(pending.size());
                handBack.accept(pending);
            }
            slots.release(held);
        }
    }

    /** Takes {@code n} slots, extending the leases of {@code waiting} every third of a lease meanwhile. */
    private int acquireWhileExtending(int n, List<LeasedJob> waiting) throws InterruptedException {
        if (n <= 0) return 0;
        long step = Math.max(1, leaseFor.toMillis() / 3);
        while (true) {
            setWaiting(true);
            boolean got;
            try {
                if (stopping) throw new InterruptedException("stopping");
                got = slots.tryAcquire(n, step, java.util.concurrent.TimeUnit.MILLISECONDS);
            } finally {
                setWaiting(false);
            }
            if (got) return n;
            extend(waiting);
        }
    }

    /** Keeps the waiting suspects' leases; one whose lease is gone is dropped (its slot freed, nothing to hand back). */
    private void extend(List<LeasedJob> waiting) {
        if (waiting.isEmpty()) return;
        try {
            List<dev.conveyor.broker.Outcome> outcomes = broker.extend(
                    waiting.stream().map(LeasedJob::lease).toList(), leaseFor);
            for (int i = outcomes.size() - 1; i >= 0; i--) {
                if (outcomes.get(i) == dev.conveyor.broker.Outcome.STALE) {
                    waiting.remove(i);
                    slots.release();
                }
            }
        } catch (RuntimeException e) {
            log.warn("extending the leases of {} waiting job(s) failed: {}", waiting.size(), e.toString());
        }
    }

    private int takeSlots(int most) throws InterruptedException {
        setWaiting(true);
        try {
            if (stopping) throw new InterruptedException("stopping");
            slots.acquire();
        } finally {
            setWaiting(false);
        }
        int taken = 1;
        while (taken < most && slots.tryAcquire()) taken++;
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
