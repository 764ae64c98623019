package dev.conveyor.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.Conveyor;
import dev.conveyor.JobContext;
import dev.conveyor.Task;
import dev.conveyor.broker.Broker;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.Outcome;
import dev.conveyor.broker.QueueStats;
import dev.conveyor.internal.Json;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.worker.JobExecutor;
import dev.conveyor.worker.RunningJob;
import dev.conveyor.worker.Settlement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs jobs synchronously in a unit test, with the same code path a real worker uses (args decoding,
 * middleware, timeouts, retry policy, dead-lettering), minus threads you would have to wait for.
 *
 * <pre>{@code
 * SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
 * try (Conveyor conveyor = Conveyor.builder().broker("memory:").clock(clock).task(SEND_REPORT).build()) {
 *     conveyor.enqueue(SEND_REPORT, new SendReport(42));
 *     DrainReport report = TestWorker.of(conveyor).drain();          // runs every ready job, now
 *     assertEquals(1, report.succeeded());
 *
 *     // or: run retries and delayed jobs too, moving the clock to each due time
 *     TestWorker.of(conveyor).drainAdvancing(clock, Duration.ofHours(1));
 * }
 *
 * // or no broker at all: run one handler inline, args and result through JSON as on the wire
 * Thumb t = TestWorker.runInline(RESIZE, new Resize("a.png", 200));
 * }</pre>
 */
public final class TestWorker {
    private static final Duration LEASE = Duration.ofMinutes(5);
    /** One timer thread for every test worker's timeouts (daemon: never keeps a test JVM alive). */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("conveyor-test-watchdog").factory());

    private final Broker broker;
    private final JobStore store;
    private final Clock clock;
    private final JobExecutor executor;
    private final Set<String> queues = new LinkedHashSet<>();

    private TestWorker(Conveyor conveyor) {
        this.broker = conveyor.broker();
        this.store = conveyor.store();
        this.clock = conveyor.clock();
        boolean limited = conveyor.tasks().values().stream().anyMatch(Task::hasLimits);
        dev.conveyor.limit.Limiter limiter = limited && broker instanceof dev.conveyor.broker.StateStore state
                && broker.capabilities().contains(dev.conveyor.broker.Capability.STATE)
                ? new dev.conveyor.limit.Limiter(state, clock, LEASE) : null;
        this.executor = new JobExecutor(conveyor.tasks(), conveyor.middleware(), conveyor.mapper(), clock,
                () -> ThreadLocalRandom.current().nextLong(), WATCHDOG, Duration.ofSeconds(5), limiter,
                broker instanceof dev.conveyor.broker.StateStore state
                        && broker.capabilities().contains(dev.conveyor.broker.Capability.STATE)
                        ? new dev.conveyor.workflow.WorkflowSettler(broker, state, conveyor.tasks(), conveyor.mapper(), clock)
                        : null);
        queues.add(Job.DEFAULT_QUEUE);
        conveyor.tasks().values().forEach(t -> queues.add(t.options().queue()));
    }

    /** A test worker over the conveyor's broker, tasks, middleware and clock. */
    public static TestWorker of(Conveyor conveyor) {
        return new TestWorker(conveyor);
    }

    /**
     * Runs every job that is ready now, one at a time, until none is left; jobs that fail and are retried
     * later, or are delayed, stay scheduled. Covers the queues of the registered tasks, {@code default}, and
     * every queue the store knows.
     */
    public DrainReport drain() {
        return drain(allQueues());
    }

    /** {@link #drain()} limited to some queues. */
    public DrainReport drain(String... queues) {
        return drain(List.of(queues));
    }

    private DrainReport drain(List<String> queues) {
        int ok = 0;
        int retried = 0;
        List<String> dead = new ArrayList<>();
        while (true) {
            List<LeasedJob> batch = broker.fetch(queues, 1, LEASE);
            if (batch.isEmpty()) return new DrainReport(ok, retried, dead.size(), dead);
            LeasedJob leased = batch.get(0);
            Settlement s = runOnOwnThread(leased);
            Outcome outcome = switch (s) {
                case Settlement.Ack a -> broker.ack(List.of(a.completion())).get(0);
                case Settlement.Retry r -> broker.retry(List.of(r.failure())).get(0);
                case Settlement.Bury b -> broker.bury(List.of(b.failure())).get(0);
                case Settlement.Release r -> broker.release(List.of(r.lease())).get(0);
            };
            if (outcome != Outcome.OK) {
                throw new IllegalStateException("broker refused the outcome of job " + leased.job().id()
                        + "; did something else advance the clock past its lease?");
            }
            switch (s) {
                case Settlement.Ack a -> ok++;
                case Settlement.Retry r -> retried++;
                case Settlement.Bury b -> dead.add(leased.job().id());
                case Settlement.Release r -> { }
            }
        }
    }

    /**
     * Drains, then moves {@code clock} to the next delayed or retried job's due time and drains again, until
     * nothing more falls due within {@code maxSpan}; the clock then stands {@code maxSpan} later than at the
     * call, as if that much time had passed. Needs a broker with a job store.
     */
    public DrainReport drainAdvancing(SettableClock clock, Duration maxSpan) {
        if (store == null) throw new IllegalStateException("drainAdvancing needs a broker that keeps job state");
        Instant limit = clock.instant().plus(maxSpan);
        int ok = 0;
        int retried = 0;
        List<String> dead = new ArrayList<>();
        while (true) {
            DrainReport r = drain();
            ok += r.succeeded();
            retried += r.retried();
            dead.addAll(r.deadIds());
            Instant next = nextDue();
            if (next == null || next.isAfter(limit)) {
                if (clock.instant().isBefore(limit)) clock.set(limit); // the whole span passes, as in real time
                return new DrainReport(ok, retried, dead.size(), dead);
            }
            if (next.isAfter(clock.instant())) clock.set(next);
        }
    }

    private Instant nextDue() {
        Instant next = null;
        String cursor = null;
        do {
            var page = store.list(new JobQuery(JobState.SCHEDULED, null, null, cursor, JobQuery.MAX_LIMIT));
            for (JobInfo i : page.items()) {
                if (next == null || i.job().runAt().isBefore(next)) next = i.job().runAt();
            }
            cursor = page.nextCursor();
        } while (cursor != null);
        return next;
    }

    private List<String> allQueues() {
        Set<String> all = new LinkedHashSet<>(queues);
        if (store != null) for (QueueStats q : store.queues()) all.add(q.queue());
        return List.copyOf(all);
    }

    private Settlement runOnOwnThread(LeasedJob leased) {
        // Run on a thread of its own so a timeout interrupt can never hit the test's thread.
        Settlement[] out = new Settlement[1];
        Thread t = Thread.ofVirtual().name("conveyor-test-job").start(() -> out[0] = executor.execute(RunningJob.of(leased)));
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while job " + leased.job().id() + " ran", e);
        }
        return out[0];
    }

    /**
     * Runs a task's handler right here: args go through JSON and back (as they would on the wire, so a
     * field Jackson cannot map fails here too), then the result does the same. No broker, no retries: an
     * exception from the handler is thrown as is.
     */
    public static <A, R> R runInline(Task<A, R> task, A args) throws Exception {
        ObjectMapper mapper = Json.mapper();
        A decoded = mapper.readValue(mapper.writeValueAsString(args), task.argsType());
        Job job = new Job("inline", task.name(), task.options().queue(), mapper.writeValueAsString(args), Map.of(),
                task.options().priority(), 0, 1, task.options().maxAttempts(), task.options().maxDeliveries(),
                Instant.now(), Instant.now(), null, task.options().timeout(), null, null, null, null);
        JobContext ctx = new JobContext() {
            public Job job() {
                return job;
            }

            public Instant deadline() {
                return null;
            }

            public Clock clock() {
                return Clock.systemUTC();
            }
        };
        Object result = task.invoke(decoded, ctx);
        if (task.isAsync()) result = ((java.util.concurrent.CompletionStage<?>) result).toCompletableFuture().get();
        if (result == null || task.resultType() == Void.class) return null;
        return mapper.readValue(mapper.writeValueAsString(result), task.resultType());
    }
}
