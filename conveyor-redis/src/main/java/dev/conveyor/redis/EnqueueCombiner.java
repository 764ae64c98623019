package dev.conveyor.redis;

import dev.conveyor.broker.BrokerException;
import dev.conveyor.broker.EnqueueResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Enqueue calls made at the same time by many threads (requests of a web app, each enqueueing one job) go to Redis
 * as one call: one thread at a time stores what every waiting thread brought, in one round of script calls, and
 * hands each its own results; the others wait. A lone call is stored at once by its own thread, so light load
 * pays nothing; under load a batch holds what arrived during the previous one, so the server's per-call work
 * (about as much as a job's own) is shared, and 10,000 single enqueues a second no longer queue up behind it.
 *
 * <p>Each thread's items succeed or fail together, as in a call of its own: an error that concerns one thread's
 * item (its key holds foreign data) is that thread's alone; an error of the whole call (the server unreachable)
 * is everyone's. The thread that stores is not failed by its own interrupt while it stores for others.
 */
final class EnqueueCombiner {
    /** Most items one combined call takes (one script call per queue and chunk of this size). */
    static final int MAX_ITEMS = RedisEnqueue.CHUNK;

    /** What the store answers per item: an {@link EnqueueResult}, or the {@link RuntimeException} for that item. */
    private final Function<List<RedisEnqueue.Item>, Object[]> store;
    private final ConcurrentLinkedQueue<Pending> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean storing = new AtomicBoolean();

    EnqueueCombiner(Function<List<RedisEnqueue.Item>, Object[]> store) {
        this.store = store;
    }

    /** One thread's items, and what became of them. */
    private static final class Pending {
        final List<RedisEnqueue.Item> items;
        final Thread thread = Thread.currentThread();
        volatile List<EnqueueResult> results;
        volatile RuntimeException error;

        Pending(List<RedisEnqueue.Item> items) {
            this.items = items;
        }

        boolean done() {
            return results != null || error != null;
        }
    }

    List<EnqueueResult> enqueue(List<RedisEnqueue.Item> items) {
        Pending mine = new Pending(items);
        waiting.add(mine);
        boolean interrupted = false;
        while (!mine.done()) {
            if (storing.compareAndSet(false, true)) {
                try {
                    storeOneBatch();
                } finally {
                    storing.set(false);
                }
                // Whoever arrived while this batch was out becomes the next to store (it may be parked).
                Pending next = waiting.peek();
                if (next != null) LockSupport.unpark(next.thread);
            } else {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    if (!mine.done() && waiting.remove(mine)) {
                        // Not taken by a batch, so never sent: this call ends now, having stored nothing.
                        Thread.currentThread().interrupt();
                        throw new BrokerException("interrupted while waiting to enqueue " + items.size()
                                + " job(s) on Redis; none was stored");
                    }
                    interrupted = true; // its batch is out: wait for the outcome, keep the interrupt for after
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (mine.error != null) throw mine.error;
        return mine.results;
    }

    /** Takes the waiting threads' items (at least the first's, at most {@link #MAX_ITEMS}) and stores them. */
    private void storeOneBatch() {
        List<Pending> batch = new ArrayList<>();
        List<RedisEnqueue.Item> items = new ArrayList<>();
        Pending p;
        while ((p = waiting.peek()) != null && (batch.isEmpty() || items.size() + p.items.size() <= MAX_ITEMS)) {
            if (!waiting.remove(p)) continue; // taken back by its interrupted thread
            batch.add(p);
            items.addAll(p.items);
        }
        if (batch.isEmpty()) return;
        Object[] outcomes;
        try {
            outcomes = store.apply(items);
        } catch (RuntimeException e) {
            for (Pending b : batch) finish(b, null, e);
            return;
        }
        int at = 0;
        for (Pending b : batch) {
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
    }

    private static void finish(Pending p, List<EnqueueResult> results, RuntimeException error) {
        if (error != null) p.error = error;
        else p.results = results;
        if (p.thread != Thread.currentThread()) LockSupport.unpark(p.thread);
    }
}
