package dev.conveyor.worker;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records settlements in batches (River's batch completer is the model): one thread takes whatever has
 * finished since its last round, up to {@code batchSize}, and makes one broker call per kind. Under load
 * that is one round trip for hundreds of jobs; when idle a single settlement goes out at once.
 *
 * <p>A failed broker call is retried with backoff, holding the batch: nothing is dropped. Leases keep being
 * extended meanwhile (the jobs stay in flight until recorded), so a short outage costs no redelivery.
 */
final class Completer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Completer.class);
    private static final int CAPACITY = 16_384;

    private final Broker broker;
    private final int batchSize;
    private final BiConsumer<Settlement, Outcome> onRecorded;
    private final BlockingQueue<Settlement> pending = new ArrayBlockingQueue<>(CAPACITY);
    private final Thread thread;
    private volatile boolean closing;

    Completer(Broker broker, int batchSize, String name, BiConsumer<Settlement, Outcome> onRecorded) {
        this.broker = broker;
        this.batchSize = batchSize;
        this.onRecorded = onRecorded;
        this.thread = Thread.ofPlatform().daemon().name(name).start(this::loop);
    }

    /** Queues a settlement; blocks while {@value #CAPACITY} are waiting (backpressure on a slow broker). */
    void submit(Settlement s) {
        if (closing && !thread.isAlive()) {
            recordNow(List.of(s));
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                pending.put(s);
                break;
            } catch (InterruptedException e) {
                interrupted = true; // a settlement must not be lost to an interrupt
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void loop() {
        List<Settlement> batch = new ArrayList<>(batchSize);
        while (true) {
            try {
                Settlement first = pending.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing && pending.isEmpty()) return;
                    continue;
                }
                batch.add(first);
                pending.drainTo(batch, batchSize - 1);
                recordWithRetry(batch);
                batch.clear();
            } catch (InterruptedException e) {
                if (closing && pending.isEmpty()) return;
            }
        }
    }

    /** Records a batch, one broker call per kind; a failed call is retried until it succeeds, then the next kind. */
    private void recordWithRetry(List<Settlement> batch) {
        for (List<Settlement> group : byKind(batch)) {
            long backoffMs = 50;
            while (true) {
                try {
                    record(group);
                    break;
                } catch (RuntimeException e) {
                    log.warn("recording {} job outcome(s) failed ({}); retrying in {} ms", group.size(), e.toString(), backoffMs);
                    try {
                        Thread.sleep(backoffMs);
                    } catch (InterruptedException ie) {
                        // keep going: the outcome must be recorded before the worker lets go of it
                    }
                    backoffMs = Math.min(5_000, backoffMs * 2);
                }
            }
        }
    }

    private void recordNow(List<Settlement> batch) {
        for (List<Settlement> group : byKind(batch)) record(group);
    }

    private static List<List<Settlement>> byKind(List<Settlement> batch) {
        List<Settlement> acks = new ArrayList<>();
        List<Settlement> retries = new ArrayList<>();
        List<Settlement> buries = new ArrayList<>();
        List<Settlement> releases = new ArrayList<>();
        for (Settlement s : batch) {
            switch (s) {
                case Settlement.Ack a -> acks.add(a);
                case Settlement.Retry r -> retries.add(r);
                case Settlement.Bury b -> buries.add(b);
                case Settlement.Release r -> releases.add(r);
            }
        }
        return java.util.stream.Stream.of(acks, retries, buries, releases).filter(g -> !g.isEmpty()).toList();
    }

    /** One broker call for a group of settlements of one kind. */
    private void record(List<Settlement> group) {
        List<Outcome> outcomes = switch (group.get(0)) {
            case Settlement.Ack a -> broker.ack(group.stream().map(s -> ((Settlement.Ack) s).completion()).toList());
            case Settlement.Retry r -> broker.retry(group.stream().map(s -> ((Settlement.Retry) s).failure()).toList());
            case Settlement.Bury b -> broker.bury(group.stream().map(s -> ((Settlement.Bury) s).failure()).toList());
            case Settlement.Release r -> broker.release(group.stream().map(Settlement::lease).toList());
        };
        if (outcomes.size() != group.size()) {
            throw new IllegalStateException("broker answered " + outcomes.size() + " outcomes for "
                    + group.size() + " items; this is a broker bug");
        }
        for (int i = 0; i < group.size(); i++) {
            onRecorded.accept(group.get(i), outcomes.get(i));
        }
    }

    /** Records everything queued, then stops the thread (waits up to 30 s for a slow broker). */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // A settlement put in just as the thread made its last check: record it here rather than leave it.
        List<Settlement> rest = new ArrayList<>();
        pending.drainTo(rest);
        if (!rest.isEmpty()) {
            try {
                recordNow(rest);
            } catch (RuntimeException e) {
                log.warn("recording {} job outcome(s) at shutdown failed ({}); their leases will expire and the jobs "
                        + "run again", rest.size(), e.toString());
            }
        }
    }
}
