package dev.conveyor.schedule;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.conveyor.internal.Json;
import java.time.Instant;
import java.util.List;

/**
 * What every scheduler shares about one schedule, stored as JSON under {@code schedule:<name>} in the broker's
 * {@link dev.conveyor.broker.StateStore}: the definition last seen (for {@code conveyor schedules}), the
 * instant up to which ticks are settled, the ticks claimed but perhaps not yet enqueued, and the pause flag.
 *
 * @param cron     the expression's text
 * @param zone     the time zone id
 * @param task     the task enqueued
 * @param last     epoch ms: every tick at or before it has been handled (enqueued, skipped or dropped)
 * @param next     epoch ms of the next tick after {@code last}, or null if the expression has none
 * @param paused   true while paused: no ticks are enqueued, and resuming does not catch up
 * @param pending  ticks (epoch ms) a scheduler claimed and is enqueuing; another one finishes the job if it died
 * @param claimedAt epoch ms when {@code pending} was claimed (another scheduler takes over only once it is old)
 * @param lastJob  the id of the job of the latest enqueued tick (for the overlap check), or null
 * @param lastFire epoch ms of the latest enqueued tick, or null
 * @param fired    ticks enqueued so far
 * @param skipped  ticks dropped so far (missed under SKIP, beyond the catch-up bound, or overlapping)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScheduleState(String cron, String zone, String task, long last, Long next, boolean paused,
                            List<Long> pending, Long claimedAt, String lastJob, Long lastFire, long fired, long skipped) {
    /** The key prefix of schedule states. */
    public static final String KEY_PREFIX = "schedule:";

    public ScheduleState {
        pending = pending == null ? List.of() : List.copyOf(pending);
    }

    public static String key(String scheduleName) {
        return KEY_PREFIX + scheduleName;
    }

    /** Parses a stored state; throws {@link IllegalArgumentException} for text that is not one (untrusted input). */
    public static ScheduleState parse(String json) {
        try {
            ScheduleState s = Json.mapper().readValue(json, ScheduleState.class);
            if (s.last < 0) throw new IllegalArgumentException("negative 'last'");
            return s;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a schedule state: " + e.getOriginalMessage(), e);
        }
    }

    public String toJson() {
        try {
            return Json.mapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public Instant lastInstant() {
        return Instant.ofEpochMilli(last);
    }

    public Instant nextInstant() {
        return next == null ? null : Instant.ofEpochMilli(next);
    }

    ScheduleState withPaused(boolean paused, long last, Long next) {
        return new ScheduleState(cron, zone, task, last, next, paused, pending, claimedAt, lastJob, lastFire, fired,
                skipped);
    }
}
