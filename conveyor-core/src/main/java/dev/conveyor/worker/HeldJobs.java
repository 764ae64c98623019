package dev.conveyor.worker;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The turn-taking of a worker that leases jobs ahead of its free slots ({@code WorkerOptions.prefetch}). A leased
 * job's thread takes a <em>run slot</em> (one of {@code concurrency}) before its handler runs; when none is free it
 * is <em>held</em>: it waits, in arrival order, and starts the moment a running job returns its slot — no fetch in
 * between. The fetch loops lease up to {@code concurrency + prefetch} jobs ({@link Slots}), so they refill the held
 * jobs while others run.
 *
 * <p>A held job that waits longer than the hold limit goes back to its queue, and the worker then holds none for a
 * pause: its jobs run too long for holding to gain anything, and a held job waits for this worker while another
 * worker may be idle. On shutdown every held job goes back at once.
 */
final class HeldJobs {
    private static final Logger log = LoggerFactory.getLogger(HeldJobs.class);

    /**
     * The worker's leased-job capacity: {@code concurrency + prefetch} permits, one per job from fetch until its
     * run ends or it goes back. It shrinks by {@code prefetch} during a pause (the permits of jobs still held are
     * paid back first as they end), so the fetch loops lease only for free run slots meanwhile.
     */
    static final class Slots extends Semaphore {
        Slots(int permits) {
            super(permits);
        }

        void shrink(int permits) {
            reducePermits(permits);
        }
    }

    private final Semaphore runSlots;
    private final Slots slots;
    private final int prefetch;
    private final ScheduledExecutorService scheduler;
    private final Set<Thread> waiting = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean paused = new AtomicBoolean();
    private volatile long holdLimitNanos = TimeUnit.MILLISECONDS.toNanos(Worker.HOLD_LIMIT_MS);
    private volatile long pauseNanos = TimeUnit.SECONDS.toNanos(Worker.HOLD_PAUSE_SECONDS);
    private volatile boolean stopping;

    HeldJobs(int concurrency, int prefetch, Slots slots, ScheduledExecutorService scheduler) {
        this.runSlots = new Semaphore(concurrency, true); // fair: held jobs start in the order they arrived
        this.prefetch = prefetch;
        this.slots = slots;
        this.scheduler = scheduler;
    }

    /** Changes the hold limit and the pause after it (tests shorten them). */
    void limits(Duration holdLimit, Duration pause) {
        this.holdLimitNanos = holdLimit.toNanos();
        this.pauseNanos = pause.toNanos();
    }

    /**
     * Waits for a run slot: true once the caller holds one (it must call {@link #done} when its handler returns),
     * false when its job must go back unrun instead (the hold limit passed, or the worker is stopping).
     */
    boolean awaitTurn() {
        // A pool thread may carry an interrupt from its last job's end; only stop() may send this job back.
        Thread.interrupted();
        try {
            // The timed form even at zero: the untimed tryAcquire would jump the queue of held jobs.
            if (!stopping && runSlots.tryAcquire(0, TimeUnit.NANOSECONDS)) return started();
        } catch (InterruptedException e) {
            // not possible: the flag was cleared above, and stop() interrupts only threads in `waiting`
        }
        Thread me = Thread.currentThread();
        waiting.add(me);
        try {
            long deadline = System.nanoTime() + holdLimitNanos;
            while (!stopping) { // checked after joining the set: stop() either sees this thread or ran before
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    pause();
                    return false;
                }
                try {
                    if (runSlots.tryAcquire(left, TimeUnit.NANOSECONDS)) return started();
                } catch (InterruptedException e) {
                    // stop() (the loop ends), or a stray interrupt (it waits on)
                }
            }
            return false;
        } finally {
            waiting.remove(me);
            Thread.interrupted(); // a stop() interrupt that came as the wait ended must not reach the handler
        }
    }

    /** A run slot was taken: true, unless the worker began stopping meanwhile (then the slot goes back). */
    private boolean started() {
        if (!stopping) return true;
        runSlots.release();
        return false;
    }

    /** Jobs waiting for a run slot now. */
    int count() {
        return waiting.size();
    }

    /** Returns the run slot taken by {@link #awaitTurn}. */
    void done() {
        runSlots.release();
    }

    /** Sends every held job back (its thread returns false from {@link #awaitTurn}); none is held after this. */
    void stop() {
        stopping = true;
        for (Thread t : waiting) t.interrupt();
    }

    private void pause() {
        if (stopping || !paused.compareAndSet(false, true)) return;
        slots.shrink(prefetch);
        log.info("a held job found no free slot within {} ms: holding no jobs ahead of free slots for the next {} s "
                + "(jobs this long gain nothing from it; WorkerOptions.prefetch)", TimeUnit.NANOSECONDS.toMillis(holdLimitNanos),
                TimeUnit.NANOSECONDS.toSeconds(pauseNanos));
        try {
            scheduler.schedule(this::resume, pauseNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // the worker is stopping: nothing is fetched any more
        }
    }

    private void resume() {
        slots.release(prefetch);
        paused.set(false);
    }
}
