package dev.conveyor.schedule;

import dev.conveyor.broker.EnqueueResult;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.StateStore;
import dev.conveyor.job.JobInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enqueues the jobs of {@link Schedule}s when their ticks come. Any number of schedulers may run against one
 * broker (one per worker by default); each tick is enqueued exactly once:
 * <ol>
 *   <li>A round reads the schedule's shared {@link ScheduleState}. Ticks after its {@code last} and at or before
 *       now are due; the missed-tick and overlap policies pick which of them run.</li>
 *   <li>It claims them with one compare-and-set that moves {@code last} to now and lists the picked ticks as
 *       {@code pending}. Of two schedulers that read the same state, only one claim succeeds; the other reads
 *       again and finds nothing due.</li>
 *   <li>It enqueues each pending tick with the unique key {@code schedule:<name>@<fire time>}, then clears
 *       {@code pending}. A scheduler that died between claim and enqueue leaves {@code pending} behind; the next
 *       round of any scheduler enqueues it again once the claim is {@link #PENDING_TAKEOVER} old, and the
 *       unique key (held {@link #UNIQUE_FOR} after the job finishes) turns a repeat into a no-op.</li>
 * </ol>
 * Steady state costs one state read per schedule per round and writes only at ticks. "Now" is the injected
 * clock; the timer that starts rounds runs in real time ({@link #start}), and tests call {@link #runOnce}.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    /** How long a tick's unique key stays held after its job finished: longer than any sane catch-up. */
    public static final Duration UNIQUE_FOR = Duration.ofDays(1);
    /** Default time between rounds. */
    public static final Duration DEFAULT_TICK = Duration.ofSeconds(1);
    private static final int CLAIM_ATTEMPTS = 5;
    /** Bound on ticks counted or listed in one round, whatever the outage: keeps a round cheap. */
    private static final int COUNT_BOUND = 10_000;
    /**
     * Most ticks one claim lists as pending: the claim is one state value (at most 64 KiB), and ~14 characters a
     * tick keeps 1,000 well inside it. More on-time ticks than this in one round keep the most recent.
     */
    static final int MAX_PENDING = 1_000;
    /**
     * How old another scheduler's claim must be before this one enqueues its pending ticks itself: the claimer
     * normally does it within milliseconds, and taking over sooner would only make repeat attempts the unique key
     * then absorbs.
     */
    public static final Duration PENDING_TAKEOVER = Duration.ofSeconds(30);

    /** Turns a tick into an enqueued job (Conveyor builds the job from the schedule's task and args). */
    @FunctionalInterface
    public interface Enqueuer {
        EnqueueResult enqueue(Schedule schedule, Instant fireTime);
    }

    private final List<Schedule> schedules;
    private final StateStore state;
    private final JobStore jobs;
    private final Clock clock;
    private final Enqueuer enqueuer;
    private ScheduledExecutorService timer;

    /**
     * @param jobs the job store, for the {@link Schedule.Overlap#SKIP} check; null if the broker has none
     */
    public Scheduler(List<Schedule> schedules, StateStore state, JobStore jobs, Clock clock, Enqueuer enqueuer) {
        this.schedules = List.copyOf(schedules);
        this.state = Objects.requireNonNull(state, "state");
        this.jobs = jobs;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.enqueuer = Objects.requireNonNull(enqueuer, "enqueuer");
        for (Schedule s : this.schedules) {
            if (s.taskName() == null) {
                throw new IllegalArgumentException(s.name() + ": no task; call .task(task, args) or .taskNamed(name, json)");
            }
            if (s.overlap() == Schedule.Overlap.SKIP && jobs == null) {
                throw new IllegalArgumentException(s.name() + ": overlap SKIP needs a broker with a job store (INSPECTION)");
            }
        }
    }

    public List<Schedule> schedules() {
        return schedules;
    }

    /** Starts rounds every {@code tick} (real time) on a daemon thread, the first after a random part of a tick. */
    public synchronized Scheduler start(Duration tick) {
        if (timer != null) return this;
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("conveyor-scheduler").factory());
        long every = tick.toNanos();
        timer.scheduleWithFixedDelay(this::runOnce, ThreadLocalRandom.current().nextLong(every / 2 + 1), every,
                TimeUnit.NANOSECONDS);
        log.info("scheduler started: {} schedule(s), a round every {}", schedules.size(), tick);
        return this;
    }

    /**
     * One round over every schedule at the clock's now. Returns how many ticks this round enqueued. A schedule
     * whose round fails (broker down) is logged and tried again next round; the others still run.
     */
    public int runOnce() {
        Instant now = clock.instant();
        int enqueued = 0;
        for (Schedule s : schedules) {
            try {
                enqueued += round(s, now);
            } catch (RuntimeException e) {
                log.warn("{}: round failed, will retry next round: {}", s, e.toString());
            }
        }
        return enqueued;
    }

    private int round(Schedule s, Instant now) {
        String key = ScheduleState.key(s.name());
        for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
            String raw = state.readState(key).orElse(null);
            if (raw == null) {
                // First sight: ticks count from now on (a new schedule does not catch up on its own past).
                ScheduleState fresh = definition(s, now.toEpochMilli(), List.of(), null, null, null, 0, 0, false);
                if (state.compareAndSetState(key, null, fresh.toJson())) return 0;
                continue;
            }
            ScheduleState cur;
            try {
                cur = ScheduleState.parse(raw);
            } catch (IllegalArgumentException e) {
                log.warn("{}: stored state under '{}' is unreadable ({}); starting it afresh from now", s, key,
                        e.getMessage());
                ScheduleState fresh = definition(s, now.toEpochMilli(), List.of(), null, null, null, 0, 0, false);
                if (state.compareAndSetState(key, raw, fresh.toJson())) return 0;
                continue;
            }
            if (!cur.pending().isEmpty()) {
                boolean stale = cur.claimedAt() == null
                        || now.toEpochMilli() - cur.claimedAt() >= PENDING_TAKEOVER.toMillis();
                return stale ? finishPending(s, key, raw, cur) : 0;
            }
            if (cur.paused()) return 0;
            Instant last = cur.lastInstant();
            Instant first = now.isAfter(last) ? s.expression().next(last, s.zone()) : null;
            if (first == null || first.isAfter(now)) {
                refreshDefinition(s, key, raw, cur);
                return 0;
            }
            List<Instant> fire = pick(s, last, now);
            long dropped = Math.max(0, countTicks(s, last, now) - fire.size());
            if (!fire.isEmpty() && s.overlap() == Schedule.Overlap.SKIP && previousStillRunning(cur)) {
                log.info("{}: previous run {} has not finished; skipping {} tick(s) (overlap SKIP)", s, cur.lastJob(),
                        fire.size());
                dropped += fire.size();
                fire = List.of();
            }
            if (dropped > 0 && s.onMissed() != Schedule.MissedTicks.SKIP) {
                log.info("{}: {} missed tick(s) dropped under {}", s, dropped, s.onMissed());
            }
            List<Long> pending = fire.stream().map(Instant::toEpochMilli).toList();
            ScheduleState claimed = definition(s, now.toEpochMilli(), pending, now.toEpochMilli(), cur.lastJob(),
                    cur.lastFire(), cur.fired(), cur.skipped() + dropped, false);
            String claimedRaw = claimed.toJson();
            if (!state.compareAndSetState(key, raw, claimedRaw)) continue; // another scheduler moved first
            return finishPending(s, key, claimedRaw, claimed);
        }
        log.debug("{}: state kept changing under this scheduler; leaving this round to the others", s);
        return 0;
    }

    /** Enqueues the claimed ticks (again, if a scheduler died after claiming them), then clears them. */
    private int finishPending(Schedule s, String key, String raw, ScheduleState st) {
        String lastJob = st.lastJob();
        Long lastFire = st.lastFire();
        int created = 0;
        for (long tick : st.pending()) {
            EnqueueResult r = enqueuer.enqueue(s, Instant.ofEpochMilli(tick));
            if (!r.duplicate()) created++;
            lastJob = r.id();
            lastFire = tick;
        }
        ScheduleState done = new ScheduleState(st.cron(), st.zone(), st.task(), st.last(), st.next(), st.paused(),
                List.of(), null, lastJob, lastFire, st.fired() + st.pending().size(), st.skipped());
        if (!state.compareAndSetState(key, raw, done.toJson())) {
            log.debug("{}: another scheduler settled the pending ticks first", s);
        }
        return created;
    }

    /** The ticks in (last, now] this round runs, oldest first, by the missed-tick policy. */
    private List<Instant> pick(Schedule s, Instant last, Instant now) {
        return switch (s.onMissed()) {
            case SKIP -> {
                Instant onTimeAfter = now.minus(s.grace());
                yield recentTicks(s, last.isAfter(onTimeAfter) ? last : onTimeAfter, now, MAX_PENDING);
            }
            case RUN_ONCE -> {
                Instant onTimeAfter = now.minus(s.grace());
                List<Instant> onTime = recentTicks(s, last.isAfter(onTimeAfter) ? last : onTimeAfter, now, MAX_PENDING);
                // On time: run each (normally one). Late: one run stands for all the missed ones.
                yield onTime.isEmpty() ? recentTicks(s, last, now, 1) : onTime;
            }
            case RUN_ALL -> recentTicks(s, last, now, Math.min(s.maxCatchUp(), MAX_PENDING));
        };
    }

    /** Up to {@code max} most recent ticks in (after, upTo], oldest first; widens a look-back window as needed. */
    static List<Instant> recentTicks(Schedule s, Instant after, Instant upTo, int max) {
        Duration window = Duration.ofMinutes(10);
        while (true) {
            Instant from = upTo.minus(window);
            boolean reachesAfter = !from.isAfter(after);
            if (reachesAfter) from = after;
            java.util.ArrayDeque<Instant> tail = new java.util.ArrayDeque<>(max);
            // Walk the window in bounded pages, keeping only the last max ticks: memory stays small however dense.
            while (true) {
                List<Instant> page = s.expression().between(from, upTo, s.zone(), COUNT_BOUND);
                for (Instant t : page) {
                    if (tail.size() == max) tail.removeFirst();
                    tail.addLast(t);
                }
                if (page.size() < COUNT_BOUND) break;
                from = page.get(page.size() - 1);
            }
            if (tail.size() >= max || reachesAfter) return new ArrayList<>(tail);
            window = window.multipliedBy(8);
        }
    }

    private static long countTicks(Schedule s, Instant last, Instant now) {
        return s.expression().between(last, now, s.zone(), COUNT_BOUND).size();
    }

    private boolean previousStillRunning(ScheduleState cur) {
        if (cur.lastJob() == null) return false;
        Optional<JobInfo> previous = jobs.get(cur.lastJob());
        return previous.isPresent() && !previous.get().state().isFinished();
    }

    /** Keeps the definition shown by {@code conveyor schedules} current after the code changed it. */
    private void refreshDefinition(Schedule s, String key, String raw, ScheduleState cur) {
        ScheduleState now = definition(s, cur.last(), cur.pending(), cur.claimedAt(), cur.lastJob(), cur.lastFire(),
                cur.fired(), cur.skipped(), cur.paused());
        if (!now.equals(cur)) state.compareAndSetState(key, raw, now.toJson());
    }

    private static ScheduleState definition(Schedule s, long last, List<Long> pending, Long claimedAt, String lastJob,
                                            Long lastFire, long fired, long skipped, boolean paused) {
        Instant next = s.expression().next(Instant.ofEpochMilli(last), s.zone());
        return new ScheduleState(s.expression().text(), s.zone().getId(), s.taskName(), last,
                next == null ? null : next.toEpochMilli(), paused, pending, claimedAt, lastJob, lastFire, fired, skipped);
    }

    /** Every schedule any scheduler has recorded in {@code store}, by name (unreadable entries are left out). */
    public static Map<String, ScheduleState> list(StateStore store) {
        Map<String, ScheduleState> out = new LinkedHashMap<>();
        store.readStates(ScheduleState.KEY_PREFIX).forEach((key, value) -> {
            try {
                out.put(key.substring(ScheduleState.KEY_PREFIX.length()), ScheduleState.parse(value));
            } catch (IllegalArgumentException e) {
                log.warn("state '{}' is not a schedule state; ignored: {}", key, e.getMessage());
            }
        });
        return out;
    }

    /**
     * Pauses ({@code paused} true) or resumes a schedule for every scheduler. Resuming starts from {@code now}:
     * ticks that passed while paused are not caught up. Returns false if no scheduler has recorded the schedule.
     */
    public static boolean setPaused(StateStore store, String name, boolean paused, Instant now) {
        String key = ScheduleState.key(name);
        for (int attempt = 0; attempt < 20; attempt++) {
            Optional<String> raw = store.readState(key);
            if (raw.isEmpty()) return false;
            ScheduleState cur = ScheduleState.parse(raw.get());
            if (cur.paused() == paused) return true;
            long last = paused ? cur.last() : Math.max(cur.last(), now.toEpochMilli());
            Long next = cur.next();
            if (!paused) {
                Instant n = CronExpression.parse(cur.cron()).next(Instant.ofEpochMilli(last), java.time.ZoneId.of(cur.zone()));
                next = n == null ? null : n.toEpochMilli();
            }
            if (store.compareAndSetState(key, raw.get(), cur.withPaused(paused, last, next).toJson())) return true;
        }
        throw new IllegalStateException("schedule '" + name + "' kept changing; try again");
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            timer = null;
        }
    }
}
