package dev.conveyor.limit;

import dev.conveyor.broker.StateStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces tasks' {@link RateLimit}s and {@link ConcurrencyLimit}s on the broker's {@link StateStore}, so every
 * worker shares them. Each limit is one key:
 * <ul>
 *   <li>{@code limit:rate:<task>:<key>} holds the rate limit's theoretical arrival time (GCRA, epoch
 *       microseconds): a start is allowed while it is at most {@code (burst - 1) × interval} ahead of now, and
 *       moves it one interval on;</li>
 *   <li>{@code limit:slots:<task>:<key>} holds the running jobs holding a slot, each with a lease deadline
 *       (JSON {@code {"<job id>": epoch ms}}); expired entries do not count, so a crashed worker's slots free
 *       themselves. The worker's heartbeat extends the slots it holds.</li>
 * </ul>
 * Keys derived from args that are not plain ({@code [A-Za-z0-9_.@-]{1,100}}) are hashed. A key function that
 * returns null exempts that job from the limit. Thread-safe.
 */
public final class Limiter {
    private static final Logger log = LoggerFactory.getLogger(Limiter.class);
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_.@=*-]{1,100}");
    private static final int CAS_ATTEMPTS = 20;
    /** How long a job waits before trying again for a concurrency slot (with jitter), at most. */
    private static final Duration SLOT_RETRY = Duration.ofSeconds(1);

    private final StateStore state;
    private final Clock clock;
    private final Duration slotLease;
    /** Slot keys → job ids this worker holds there, for the heartbeat. */
    private final Map<String, Set<String>> held = new ConcurrentHashMap<>();

    /** What {@link #acquire} decided: run now holding {@code slots}, or wait until {@code postponeUntil}. */
    public record Decision(Instant postponeUntil, String reason, List<String> slots) {
        public boolean allowed() {
            return postponeUntil == null;
        }
    }

    /** @param slotLease how long a slot stays held without a heartbeat (the worker's lease duration) */
    public Limiter(StateStore state, Clock clock, Duration slotLease) {
        this.state = state;
        this.clock = clock;
        this.slotLease = slotLease;
    }

    /**
     * Takes a concurrency slot under every concurrency limit of the task named {@code task}, then a start under
     * every rate limit. If one is refused, gives back what it took (slots, and the starts of earlier rate limits)
     * and answers when to try again; if a key function or the store throws, gives it all back and rethrows.
     *
     * @param holder who holds the slots: the run's lease ({@code jobId:token}), so a redelivered run of the same
     *               job needs a slot of its own while the first one still runs
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Decision acquire(String task, List<? extends ConcurrencyLimit<?>> concurrencyLimits,
                            List<? extends RateLimit<?>> rateLimits, Object args, String holder) {
        List<String> slots = new ArrayList<>();
        List<Object[]> starts = new ArrayList<>(); // {key, limit} of the rate-limit starts taken so far
        try {
            for (int i = 0; i < concurrencyLimits.size(); i++) {
                ConcurrencyLimit limit = concurrencyLimits.get(i);
                String key = key("slots", task, i, limit.keyFromArgs(), args);
                if (key == null) continue;
                Instant retryAt = takeSlot(key, limit.max(), holder);
                if (retryAt != null) {
                    release(holder, slots);
                    return new Decision(retryAt, "concurrency limit of " + limit.max() + " reached (" + key + ")", List.of());
                }
                slots.add(key);
            }
            for (int i = 0; i < rateLimits.size(); i++) {
                RateLimit limit = rateLimits.get(i);
                String key = key("rate", task, i, limit.keyFromArgs(), args);
                if (key == null) continue;
                Instant retryAt = takeStart(key, limit);
                if (retryAt != null) {
                    giveBack(starts);
                    release(holder, slots);
                    return new Decision(retryAt, "rate limit of " + limit.permits() + " per " + limit.per() + " reached ("
                            + key + ")", List.of());
                }
                starts.add(new Object[] {key, limit});
            }
            return new Decision(null, null, slots);
        } catch (RuntimeException e) {
            giveBack(starts);
            release(holder, slots);
            throw e;
        }
    }

    /** Undoes rate-limit starts of a run that another limit refused: moves each back one interval (best effort). */
    private void giveBack(List<Object[]> starts) {
        for (Object[] s : starts) {
            String key = (String) s[0];
            long interval = Math.max(1, ((RateLimit<?>) s[1]).intervalNanos() / 1000);
            try {
                for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
                    String raw = state.readState(key).orElse(null);
                    if (raw == null) break;
                    long tat = parseLong(raw, Long.MIN_VALUE);
                    if (tat == Long.MIN_VALUE) break;
                    if (state.compareAndSetState(key, raw, Long.toString(tat - interval))) break;
                }
            } catch (RuntimeException e) {
                log.debug("could not give back a start of {}: {}", key, e.toString());
            }
        }
    }

    /** Gives back the slots a run held (it finished, or a later limit refused it). Best effort: leases expire. */
    public void release(String holder, List<String> slots) {
        for (String key : slots) {
            held.computeIfPresent(key, (k, mine) -> {
                mine.remove(holder);
                return mine.isEmpty() ? null : mine;
            });
            try {
                update(key, entries -> entries.remove(holder) != null);
            } catch (RuntimeException e) {
                log.warn("could not free concurrency slot of {} in {} (it frees itself when its lease ends): {}",
                        holder, key, e.toString());
            }
        }
    }

    /** Extends the leases of every slot this worker holds (called by the heartbeat). */
    public void extendHeld() {
        for (Map.Entry<String, Set<String>> e : held.entrySet()) {
            Set<String> mine = Set.copyOf(e.getValue());
            if (mine.isEmpty()) continue;
            long until = clock.millis() + slotLease.toMillis();
            try {
                update(e.getKey(), entries -> {
                    boolean changed = false;
                    for (String id : mine) {
                        if (entries.containsKey(id)) {
                            entries.put(id, until);
                            changed = true;
                        }
                    }
                    return changed;
                });
            } catch (RuntimeException ex) {
                log.warn("could not extend concurrency slots in {}: {}", e.getKey(), ex.toString());
            }
        }
    }

    /** Null when a slot was taken, else when to try again. */
    private Instant takeSlot(String key, int max, String jobId) {
        long now = clock.millis();
        boolean[] taken = {false};
        long[] soonest = {Long.MAX_VALUE};
        update(key, entries -> {
            taken[0] = false;
            if (entries.containsKey(jobId) || entries.size() < max) {
                entries.put(jobId, now + slotLease.toMillis());
                taken[0] = true;
                return true;
            }
            soonest[0] = entries.values().stream().mapToLong(Long::longValue).min().orElse(now);
            return false;
        });
        if (taken[0]) {
            held.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(jobId);
            return null;
        }
        // Try again in about a second (jittered so waiting jobs do not all come back at once), or when the
        // soonest lease would expire if that is sooner.
        long wait = (long) (SLOT_RETRY.toMillis() * (0.5 + ThreadLocalRandom.current().nextDouble()));
        return Instant.ofEpochMilli(Math.max(now + 1, Math.min(now + wait, soonest[0])));
    }

    /** GCRA: null when a start was taken, else when the next one is allowed (plus jitter within one interval). */
    private Instant takeStart(String key, RateLimit<?> limit) {
        long interval = Math.max(1, limit.intervalNanos() / 1000);
        long tolerance = interval * (limit.burst() - 1);
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            long now = clock.millis() * 1000;
            String raw = state.readState(key).orElse(null);
            long tat = parseLong(raw, now);
            long allowedAt = tat - tolerance;
            if (allowedAt > now) {
                long jitter = ThreadLocalRandom.current().nextLong(interval);
                return Instant.ofEpochMilli((allowedAt + jitter) / 1000 + 1);
            }
            String next = Long.toString(Math.max(tat, now) + interval);
            if (state.compareAndSetState(key, raw, next)) return null;
        }
        return Instant.ofEpochMilli(clock.millis() + Math.max(1, interval / 1000));
    }

    private static long parseLong(String raw, long fallback) {
        if (raw == null) return fallback;
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            return fallback; // not ours or corrupted: start afresh
        }
    }

    private interface Change {
        /** Edits the live entries; returns true if they changed and should be written. */
        boolean apply(Map<String, Long> entries);
    }

    /** Read, drop expired entries, apply, compare-and-set; again on conflict. */
    private void update(String key, Change change) {
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            long now = clock.millis();
            String raw = state.readState(key).orElse(null);
            Map<String, Long> entries = readSlots(raw);
            int before = entries.size();
            entries.values().removeIf(until -> until <= now);
            boolean changed = change.apply(entries) || entries.size() != before;
            if (!changed) return;
            if (state.compareAndSetState(key, raw, entries.isEmpty() ? null : writeSlots(entries))) return;
        }
        throw new IllegalStateException("limit state '" + key + "' kept changing under this worker");
    }

    /** The state key of a limit for these args, or null when the key function exempts them. */
    static String key(String kind, String task, int index, java.util.function.Function<Object, String> keyFromArgs,
                      Object args) {
        String k;
        if (keyFromArgs == null) {
            k = "*";
        } else {
            k = keyFromArgs.apply(args);
            if (k == null) return null;
            k = "=" + k; // never the task-wide "*", even for an empty key
        }
        // The limit's position among the task's limits of its kind: two limits never share a key.
        return "limit:" + kind + ":" + plain(task) + ":" + index + ":" + plain(k);
    }

    private static String plain(String s) {
        if (PLAIN.matcher(s).matches()) return s;
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return "h-" + HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The slot entries' JSON, read leniently: what another process wrote is untrusted. */
    private static Map<String, Long> readSlots(String raw) {
        Map<String, Long> out = new TreeMap<>();
        if (raw == null) return out;
        try {
            com.fasterxml.jackson.databind.JsonNode n = dev.conveyor.internal.Json.mapper().readTree(raw);
            n.fields().forEachRemaining(f -> {
                if (f.getValue().canConvertToLong()) out.put(f.getKey(), f.getValue().asLong());
            });
        } catch (Exception e) {
            log.warn("limit state is not a slot map; starting it afresh: {}", e.toString());
        }
        return out;
    }

    private static String writeSlots(Map<String, Long> entries) {
        try {
            return dev.conveyor.internal.Json.mapper().writeValueAsString(new LinkedHashMap<>(entries));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
