package dev.conveyor.workflow;

import dev.conveyor.broker.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the state of workflows that finished more than {@link Workflows#DEFAULT_KEEP} ago: their record,
 * shape, group states and member results. Workers run a round on their retention timer; any number may run at
 * once (every delete is a compare-and-set, and deleting twice is harmless).
 * <ol>
 *   <li>When a workflow finishes, it writes an index entry {@code wfexp:<expiry millis>:<id>} (13 digits, so the
 *       entries sort by expiry).</li>
 *   <li>A round reads the index, takes the entries already expired (at most {@link #BATCH}), deletes each
 *       workflow's {@code wf:<id>:…} entries, then its record, then the index entry, in that order: a round
 *       cut short leaves the index entry, and the next round finishes the job.</li>
 * </ol>
 * A workflow that never finishes (see WORKFLOWS.md, limits) is never pruned.
 */
public final class WorkflowJanitor {
    private static final Logger log = LoggerFactory.getLogger(WorkflowJanitor.class);
    static final String INDEX = "wfexp:";
    /** Most workflows pruned per round. */
    public static final int BATCH = 100;

    private final StateStore state;
    private final Clock clock;

    public WorkflowJanitor(StateStore state, Clock clock) {
        this.state = Objects.requireNonNull(state, "state");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    static String indexKey(Instant expiresAt, String wf) {
        return INDEX + String.format("%013d", Math.max(0, expiresAt.toEpochMilli())) + ":" + wf;
    }

    static Instant expiry(Instant finishedAt) {
        return finishedAt.plus(Workflows.DEFAULT_KEEP);
    }

    /** One round: returns how many workflows it pruned. Failures are logged; the next round tries again. */
    public int runOnce() {
        long now = clock.millis();
        int pruned = 0;
        try {
            for (Map.Entry<String, String> e : state.readStates(INDEX).entrySet()) {
                String rest = e.getKey().substring(INDEX.length());
                int colon = rest.indexOf(':');
                if (colon != 13 || !rest.substring(0, 13).chars().allMatch(Character::isDigit)) continue;
                if (Long.parseLong(rest.substring(0, 13)) > now) break; // sorted by expiry: the rest is later
                String wf = rest.substring(colon + 1);
                if (!WorkflowKeys.ID.matcher(wf).matches()) continue;
                prune(wf);
                state.compareAndSetState(e.getKey(), e.getValue(), null);
                if (++pruned >= BATCH) break;
            }
        } catch (RuntimeException ex) {
            log.warn("pruning finished workflows failed after {}: {}; next round tries again", pruned, ex.toString());
        }
        if (pruned > 0) log.debug("pruned the state of {} finished workflow(s)", pruned);
        return pruned;
    }

    private void prune(String wf) {
        for (Map.Entry<String, String> e : state.readStates("wf:" + wf + ":").entrySet()) {
            state.compareAndSetState(e.getKey(), e.getValue(), null);
        }
        String record = WorkflowKeys.record(wf);
        state.readState(record).ifPresent(v -> state.compareAndSetState(record, v, null));
    }

    /** How often workers run a round when their retention timer does not say. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
}
