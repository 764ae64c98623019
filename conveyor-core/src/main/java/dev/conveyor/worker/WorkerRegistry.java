package dev.conveyor.worker;

import dev.conveyor.broker.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this worker's {@link WorkerRecord} in the shared state: written at start and on every heartbeat, removed
 * at shutdown. Two state calls per beat (read, compare-and-set) — cheap beside the lease extensions. About once a
 * minute a beat also deletes records of workers lost for longer than {@link #DROP_AFTER} (crashed processes), so
 * the registry does not grow. A failure is logged and the next beat tries again: the registry is for display,
 * never for correctness.
 */
final class WorkerRegistry {
    private static final Logger log = LoggerFactory.getLogger(WorkerRegistry.class);
    /** A worker lost this long is removed from the registry. */
    static final Duration DROP_AFTER = Duration.ofMinutes(10);
    private static final long SWEEP_EVERY_MS = 60_000;

    private final StateStore state;
    private final Clock clock;
    private final String key;
    private final WorkerRecord template;
    private final IntSupplier inFlight;
    private final IntSupplier held;
    private volatile long lastSweep;

    WorkerRegistry(StateStore state, Clock clock, String name, List<String> queues, int concurrency,
                   Duration beatEvery, IntSupplier inFlight, IntSupplier held) {
        this.state = state;
        this.clock = clock;
        this.key = WorkerRecord.KEY_PREFIX + name;
        this.inFlight = inFlight;
        this.held = held;
        String host = name.contains("/") ? name.substring(0, name.indexOf('/')) : name;
        this.template = new WorkerRecord(name, host, ProcessHandle.current().pid(), queues, concurrency, 0, 0,
                clock.millis(), 0, beatEvery.toMillis());
    }

    /** Writes the record with the current time and in-flight and held counts. */
    void beat() {
        try {
            WorkerRecord now = new WorkerRecord(template.name(), template.host(), template.pid(), template.queues(),
                    template.concurrency(), inFlight.getAsInt(), held.getAsInt(), template.startedAt(), clock.millis(),
                    template.beatEveryMs());
            write(now.toJson());
            if (clock.millis() - lastSweep >= SWEEP_EVERY_MS) sweep();
        } catch (RuntimeException e) {
            log.debug("could not register worker {}: {}", template.name(), e.toString());
        }
    }

    /** Removes the record (at shutdown). */
    void remove() {
        try {
            write(null);
        } catch (RuntimeException e) {
            log.debug("could not unregister worker {}: {}", template.name(), e.toString());
        }
    }

    private void write(String value) {
        for (int attempt = 0; attempt < 3; attempt++) {
            String current = state.readState(key).orElse(null);
            if (state.compareAndSetState(key, current, value)) return;
        }
    }

    /** Deletes records of workers lost for longer than {@link #DROP_AFTER}. */
    void sweep() {
        lastSweep = clock.millis();
        long now = clock.millis();
        for (Map.Entry<String, String> e : state.readStates(WorkerRecord.KEY_PREFIX).entrySet()) {
            WorkerRecord r = WorkerRecord.parse(e.getValue());
            long last = r == null ? 0 : r.heartbeatAt();
            long lostFor = now - last - WorkerRecord.LOST_AFTER_BEATS * (r == null ? 0 : r.beatEveryMs());
            if (lostFor > DROP_AFTER.toMillis()) {
                state.compareAndSetState(e.getKey(), e.getValue(), null); // lost the race: someone rewrote it, fine
            }
        }
    }
}
