package dev.conveyor.schedule;

import dev.conveyor.Task;
import dev.conveyor.job.Job;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A job enqueued on a timetable: a cron expression (or {@code @every} interval), a time zone, and what to
 * enqueue at each tick. Immutable; build with {@link #cron} and the {@code with…}/setter-style methods, and
 * register with {@code Conveyor.builder().schedule(...)}. Every worker runs a scheduler by default; however
 * many run, each tick is enqueued exactly once (see {@link Scheduler}).
 *
 * <pre>{@code
 * Task<Report, Void> nightly = Task.named("reports.nightly", Report.class).action(r -> render(r));
 * Conveyor conveyor = Conveyor.builder()
 *         .task(nightly)
 *         .schedule(Schedule.cron("nightly-report", "0 3 * * *")
 *                 .zone(ZoneId.of("Europe/Paris"))
 *                 .task(nightly, new Report("daily"))
 *                 .onMissed(MissedTicks.RUN_ONCE)
 *                 .overlap(Overlap.SKIP))
 *         .build();
 * conveyor.startWorker(WorkerOptions.defaults());  // runs the jobs and, by default, the scheduler
 * }</pre>
 */
public final class Schedule {
    /** Schedule names: also part of state keys and unique keys. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,120}");
    /** Default bound on the ticks one catch-up enqueues under {@link MissedTicks#RUN_ALL}. */
    public static final int DEFAULT_MAX_CATCH_UP = 100;
    /** Default lateness after which a tick counts as missed rather than on time. */
    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(1);

    /** What to do with ticks that passed while no scheduler ran (all workers down, a pause, a deploy). */
    public enum MissedTicks {
        /** Drop them; only ticks within the grace period run. */
        SKIP,
        /** Run once for all of them (the latest), then carry on. The default. */
        RUN_ONCE,
        /** Run every one of them, the most recent {@link #maxCatchUp()} at most. */
        RUN_ALL
    }

    /** What to do at a tick while the job of the previous tick has not finished. */
    public enum Overlap {
        /** Enqueue anyway: runs may overlap. The default. */
        ALLOW,
        /** Skip this tick (counted in the schedule's state as skipped). */
        SKIP
    }

    private final String name;
    private final CronExpression cron;
    private final ZoneId zone;
    private final String task;
    private final Object args;
    private final String queue;
    private final MissedTicks onMissed;
    private final int maxCatchUp;
    private final Overlap overlap;
    private final Duration grace;

    private Schedule(String name, CronExpression cron, ZoneId zone, String task, Object args, String queue,
                     MissedTicks onMissed, int maxCatchUp, Overlap overlap, Duration grace) {
        this.name = name;
        this.cron = cron;
        this.zone = zone;
        this.task = task;
        this.args = args;
        this.queue = queue;
        this.onMissed = onMissed;
        this.maxCatchUp = maxCatchUp;
        this.overlap = overlap;
        this.grace = grace;
    }

    /**
     * A schedule named {@code name} firing at {@code expression}: 5-field cron ({@code "0 3 * * *"}), a macro
     * ({@code "@daily"}) or an interval ({@code "@every 30s"}); see {@link CronExpression}. UTC until
     * {@link #zone} says otherwise. Throws {@link IllegalArgumentException} naming what is wrong.
     */
    public static Schedule cron(String name, String expression) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("schedule name must match " + NAME.pattern() + ", was '" + name + "'");
        }
        return new Schedule(name, CronExpression.parse(Objects.requireNonNull(expression, "expression")),
                ZoneId.of("UTC"), null, null, null, MissedTicks.RUN_ONCE, DEFAULT_MAX_CATCH_UP, Overlap.ALLOW,
                DEFAULT_GRACE);
    }

    /** The time zone the cron fields are read in (DST handled as {@link CronExpression} documents). */
    public Schedule zone(ZoneId zone) {
        return new Schedule(name, cron, Objects.requireNonNull(zone, "zone"), task, args, queue, onMissed, maxCatchUp,
                overlap, grace);
    }

    /** Enqueue {@code task} with {@code args} (written as JSON by the Conveyor's mapper) at each tick. */
    public <A> Schedule task(Task<A, ?> task, A args) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(args, () -> "args of schedule '" + name + "' must not be null");
        return new Schedule(name, cron, zone, task.name(), args, queue, onMissed, maxCatchUp, overlap, grace);
    }

    /**
     * Enqueue the task named {@code taskName} with {@code argsJson} (JSON text) at each tick: for schedules read
     * from a config file, where the task's classes are not at hand.
     */
    public Schedule taskNamed(String taskName, String argsJson) {
        Job.requireTaskName(taskName);
        return new Schedule(name, cron, zone, taskName, new JsonArgs(argsJson == null ? "{}" : argsJson), queue,
                onMissed, maxCatchUp, overlap, grace);
    }

    /** The queue of the enqueued jobs; defaults to the task's queue. */
    public Schedule queue(String queue) {
        return new Schedule(name, cron, zone, task, args, Job.requireQueueName(queue), onMissed, maxCatchUp, overlap,
                grace);
    }

    /** The missed-tick policy; {@link MissedTicks#RUN_ONCE} by default. */
    public Schedule onMissed(MissedTicks policy) {
        return new Schedule(name, cron, zone, task, args, queue, Objects.requireNonNull(policy, "policy"), maxCatchUp,
                overlap, grace);
    }

    /** {@link MissedTicks#RUN_ALL}, bounded: at most {@code max} ticks of a catch-up run (the most recent). */
    public Schedule runAllMissed(int max) {
        if (max < 1 || max > 1_000) throw new IllegalArgumentException("max catch-up must be 1-1000, was " + max);
        return new Schedule(name, cron, zone, task, args, queue, MissedTicks.RUN_ALL, max, overlap, grace);
    }

    /** The overlap policy; {@link Overlap#ALLOW} by default. */
    public Schedule overlap(Overlap overlap) {
        return new Schedule(name, cron, zone, task, args, queue, onMissed, maxCatchUp,
                Objects.requireNonNull(overlap, "overlap"), grace);
    }

    /** How late a tick may be enqueued and still count as on time (not missed); 1 minute by default. */
    public Schedule grace(Duration grace) {
        // A round runs every second, so a tick is seen up to a second late: a shorter grace would miss every tick.
        if (grace == null || grace.compareTo(Duration.ofSeconds(2)) < 0) {
            throw new IllegalArgumentException("grace must be at least 2s (schedulers look every second), was " + grace);
        }
        return new Schedule(name, cron, zone, task, args, queue, onMissed, maxCatchUp, overlap, grace);
    }

    public String name() {
        return name;
    }

    public CronExpression expression() {
        return cron;
    }

    public ZoneId zone() {
        return zone;
    }

    /** The task name, or null until {@link #task} or {@link #taskNamed} is called. */
    public String taskName() {
        return task;
    }

    /** The args object given to {@link #task}, or a {@link JsonArgs} for {@link #taskNamed}. */
    public Object args() {
        return args;
    }

    /** The queue override, or null for the task's queue. */
    public String queue() {
        return queue;
    }

    public MissedTicks onMissed() {
        return onMissed;
    }

    public int maxCatchUp() {
        return maxCatchUp;
    }

    public Overlap overlap() {
        return overlap;
    }

    public Duration grace() {
        return grace;
    }

    /** The unique key of the job of the tick at {@code fireTime}: what makes each tick enqueue exactly once. */
    public String uniqueKey(java.time.Instant fireTime) {
        return "schedule:" + name + "@" + fireTime;
    }

    @Override
    public String toString() {
        return "schedule '" + name + "' (" + cron.text() + " " + zone + " -> " + task + ")";
    }

    /** Args already in JSON text (schedules from a config file). */
    public record JsonArgs(String json) {
        public JsonArgs {
            Objects.requireNonNull(json, "json");
        }
    }
}
