package dev.conveyor.worker;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.conveyor.broker.StateStore;
import dev.conveyor.internal.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One live worker as it registers itself: a small JSON value under {@code worker:<name>} in the broker's
 * {@link StateStore}, rewritten on the worker's heartbeat cadence and removed when it shuts down. The dashboard
 * lists these; a record whose heartbeat is older than {@link #LOST_AFTER_BEATS} beats is shown as lost (the
 * process died without shutting down), and one lost for {@link WorkerRegistry#DROP_AFTER} is deleted.
 *
 * @param name        the worker's name ({@code host/pid/random})
 * @param host        host name
 * @param pid         process id
 * @param queues      the queues it serves
 * @param concurrency its job slots
 * @param inFlight    jobs it held at its last beat (running, waiting for a slot, or being recorded)
 * @param held        of those, the jobs leased ahead of a free slot and waiting for one ({@code prefetch}; 0 in
 *                    records of versions before it)
 * @param startedAt   epoch ms it started
 * @param heartbeatAt epoch ms of its last beat
 * @param beatEveryMs its beat interval in ms (how stale is "lost" depends on it)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WorkerRecord(String name, String host, long pid, List<String> queues, int concurrency, int inFlight,
                           int held, long startedAt, long heartbeatAt, long beatEveryMs) {
    /** The state key prefix of worker records. */
    public static final String KEY_PREFIX = "worker:";
    /** Missed beats after which a worker is shown as lost. */
    public static final int LOST_AFTER_BEATS = 3;

    public WorkerRecord {
        queues = queues == null ? List.of() : List.copyOf(queues);
    }

    /** Reads a stored record; one written before the held count (a worker of an older version) holds none. */
    @com.fasterxml.jackson.annotation.JsonCreator
    static WorkerRecord read(@JsonProperty("name") String name, @JsonProperty("host") String host,
                             @JsonProperty("pid") long pid, @JsonProperty("queues") List<String> queues,
                             @JsonProperty("concurrency") int concurrency, @JsonProperty("inFlight") int inFlight,
                             @JsonProperty("held") Integer held, @JsonProperty("startedAt") long startedAt,
                             @JsonProperty("heartbeatAt") long heartbeatAt, @JsonProperty("beatEveryMs") long beatEveryMs) {
        return new WorkerRecord(name, host, pid, queues, concurrency, inFlight, held == null ? 0 : held, startedAt,
                heartbeatAt, beatEveryMs);
    }

    /** True when its last beat is older than {@value #LOST_AFTER_BEATS} intervals at {@code now}. */
    public boolean lost(Instant now) {
        return now.toEpochMilli() - heartbeatAt > LOST_AFTER_BEATS * Math.max(1000, beatEveryMs);
    }

    /** Time since its last beat. */
    public Duration heartbeatAge(Instant now) {
        return Duration.ofMillis(Math.max(0, now.toEpochMilli() - heartbeatAt));
    }

    public String toJson() {
        try {
            return Json.mapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a stored record, or null for text that is not one (the store is shared: never trust it). */
    public static WorkerRecord parse(String json) {
        try {
            WorkerRecord r = Json.mapper().readValue(json, WorkerRecord.class);
            return r.name() == null ? null : r;
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Every registered worker, by name. One {@link StateStore#readStates} call. */
    public static List<WorkerRecord> list(StateStore state) {
        List<WorkerRecord> out = new ArrayList<>();
        for (String json : state.readStates(KEY_PREFIX).values()) {
            WorkerRecord r = parse(json);
            if (r != null) out.add(r);
        }
        out.sort(Comparator.comparing(WorkerRecord::name));
        return out;
    }
}
