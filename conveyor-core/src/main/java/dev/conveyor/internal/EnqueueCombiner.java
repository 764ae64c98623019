package dev.conveyor.internal;

import dev.conveyor.broker.BrokerException;
import dev.conveyor.broker.EnqueueResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Enqueue calls made at the same time by many threads (requests of a web app, each enqueueing one job) go to the
 * broker as one call: one thread at a time stores what every waiting thread brought and hands each its own
 * results; the others wait. A lone call is stored at once by its own thread, so light load pays nothing; under
 * load a batch holds what arrived during the previous one, so the per-call work (a Redis script's preamble, a SQL
 * transaction's commit) is shared, and thousands of single enqueues a second no longer queue up behind it.
 *
 * <p>Each thread's items succeed or fail together, as in a call of its own: an error the store reports for one
 * item is its thread's alone; an error of the whole call (the server unreachable) is everyone's in it. A waiter
 * interrupted before its batch was taken stores nothing and says so; once taken, it waits for the outcome. A batch
 * with other threads' items is stored on a thread of its own, so no caller's interrupt reaches its I/O. Not
 * public API.
 *
 * @param <I> what the store takes per job (a job, or its encoded form)
 */
public final class EnqueueCombiner<I> {
    private final int maxItems;
    private final int lanes;
    private final String where;
    /** What the store answers per item: an {@link EnqueueResult}, or the {@link RuntimeException} for that item. */
    private final Function<List<I>, Object[]> store;
    private final ConcurrentLinkedQueue<Pending<I>> waiting = new ConcurrentLinkedQueue<>();
    /** How many threads are storing a batch now (at most {@code lanes}). */
    private final AtomicInteger storing = new AtomicInteger();
    /** Items waiting, not yet taken by a batch. */
    private final AtomicInteger queuedItems = new AtomicInteger();

    /**
     * @param maxItems most items one combined call takes (a single call with more goes alone)
     * @param lanes how many batches may be stored at once (1 for a broker with one writer, such as SQLite; more
     *     where calls can be pipelined or committed in parallel); beyond the first, only while a full batch waits
     * @param where the broker, for errors ("Redis at 127.0.0.1:6379")
     * @param store stores a batch: per item its {@link EnqueueResult} or the {@link RuntimeException} that concerns
     *     it alone; an exception it throws fails the whole batch
     */
    public EnqueueCombiner(int maxItems, int lanes, String where, Function<List<I>, Object[]> store) {
        if (maxItems < 1) throw new IllegalArgumentException("maxItems must be >= 1, was " + maxItems);
        if (lanes < 1) throw new IllegalArgumentException("lanes must be >= 1, was " + lanes);
        this.maxItems = maxItems;
        this.lanes = lanes;
        this.where = where;
        this.store = store;
    }

    /** One thread's items, and what became of them. */
    private static final class Pending<I> {
        final List<I> items;
        final Thread thread = Thread.currentThread();
        volatile List<EnqueueResult> results;
        volatile RuntimeException error;

        Pending(List<I> items) {
            this.items = items;
        }

        boolean done() {
            return results != null || error != null;
        }
    }

    /** Stores {@code items} (with what other threads bring meanwhile) and returns their results, in order. */
    public List<EnqueueResult> enqueue(List<I> items) {
        Pending<I> mine = new Pending<>(items);
        queuedItems.addAndGet(items.size());
        waiting.add(mine);
        boolean interrupted = false;
        while (!mine.done()) {
            if (takeLane()) {
                try {
                    storeOneBatch();
                } finally {
                    storing.decrementAndGet();
                }
                // Whoever arrived while this batch was out becomes the next to store (it may be parked).
                Pending<I> next = waiting.peek();
                if (next != null) LockSupport.unpark(next.thread);
            } else {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    if (!mine.done() && waiting.remove(mine)) {
                        queuedItems.addAndGet(-items.size());
                        // It may have been woken to store next: pass that on, or the next waiter could sleep on.
                        Pending<I> next = waiting.peek();
                        if (next != null) LockSupport.unpark(next.thread);
                        // Not taken by a batch, so never sent: this call ends now, having stored nothing.
                        Thread.currentThread().interrupt();
                        throw new BrokerException("interrupted while waiting to enqueue " + items.size()
                                + " job(s) on " + where + "; none was stored");
                    }
                    interrupted = true; // its batch is out: wait for the outcome, keep the interrupt for after
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (mine.error != null) throw mine.error;
        return mine.results;
    }

    /**
     * The first lane is free for anyone; another only while a full batch is waiting: then it is sent beside the
     * one in flight (pipelined) instead of after it, and smaller calls still gather into one batch rather than
     * spread over lanes (at 10,000 one-job calls a second, four lanes taken freely made the batches small and
     * doubled the p50).
     */
    private boolean takeLane() {
        for (int now = storing.get(); now < lanes && (now == 0 || queuedItems.get() >= maxItems); now = storing.get()) {
            if (storing.compareAndSet(now, now + 1)) return true;
        }
        return false;
    }

    /** Takes the waiting threads' items (at least the first's, at most {@code maxItems}) and stores them. */
    private void storeOneBatch() {
        List<Pending<I>> batch = new ArrayList<>();
        List<I> items = new ArrayList<>();
        Pending<I> p;
        while ((p = waiting.peek()) != null && (batch.isEmpty() || items.size() + p.items.size() <= maxItems)) {
            if (!waiting.remove(p)) continue; // taken back by its interrupted thread
            queuedItems.addAndGet(-p.items.size());
            batch.add(p);
            items.addAll(p.items);
        }
        if (batch.isEmpty()) return;
        try {
            Object[] outcomes = batch.size() == 1 ? store.apply(items) : storeForOthers(items);
            if (outcomes.length != items.size()) {
                throw new IllegalStateException("the store answered " + outcomes.length + " outcomes for " + items.size()
                        + " items");
            }
            int at = 0;
            for (Pending<I> b : batch) {
                List<EnqueueResult> results = new ArrayList<>(b.items.size());
                RuntimeException error = null;
                for (int k = 0; k < b.items.size(); k++) {
                    Object o = outcomes[at++];
                    if (o instanceof RuntimeException e) {
                        if (error == null) error = e;
                    } else {
                        results.add((EnqueueResult) o);
                    }
                }
                finish(b, error == null ? List.copyOf(results) : null, error);
            }
        } catch (RuntimeException | Error e) {
            RuntimeException failure = e instanceof RuntimeException r ? r
                    : new BrokerException("enqueueing on " + where + " failed: " + e, e);
            for (Pending<I> b : batch) {
                if (!b.done()) finish(b, null, failure); // never leave a waiter parked
            }
            if (e instanceof Error error) throw error;
        }
    }

    /**
     * Stores a batch that holds other threads' items on a thread of its own, and waits for it without heeding this
     * thread's interrupts (kept for afterwards): an interrupt of the storing caller would otherwise end the store's
     * I/O for everyone in the batch (a virtual thread's interrupt closes the socket it is blocked on).
     */
    private Object[] storeForOthers(List<I> items) {
        FutureTask<Object[]> task = new FutureTask<>(() -> store.apply(items));
        Thread.ofVirtual().name("conveyor-enqueue").start(task);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) throw r;
                    if (cause instanceof Error error) throw error;
                    throw new BrokerException("enqueueing on " + where + " failed: " + cause, cause);
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static void finish(Pending<?> p, List<EnqueueResult> results, RuntimeException error) {
        if (error != null) p.error = error;
        else p.results = results;
        if (p.thread != Thread.currentThread()) LockSupport.unpark(p.thread);
    }
}
