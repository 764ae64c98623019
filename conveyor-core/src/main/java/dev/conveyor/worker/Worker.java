package dev.conveyor.worker;

import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.broker.Broker;
import dev.conveyor.broker.Lease;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.Outcome;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs: a processor leases them in batches, each runs on its own virtual thread (or a task's platform
 * pool), a heartbeat extends their leases, and a completer records their outcomes in batches. Knows nothing
 * of any particular broker. Start one with {@code Conveyor.startWorker(options)}.
 *
 * <p>Shutdown (SIGTERM, {@link #close()} or {@link #shutdown(Duration)}): stop fetching; let in-flight jobs
 * finish within the grace period; then interrupt the rest and hand them back to the broker without using an
 * attempt. A handler that ignores even that interrupt is left to its lease, which is no longer extended, so
 * another worker takes the job only once the lease runs out — never while this one still runs it.
 */
public final class Worker implements AutoCloseable, dev.conveyor.events.WorkerView {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    /** How long interrupted jobs get to return at the end of the grace period before they are abandoned. */
    private static final Duration INTERRUPT_WAIT = Duration.ofSeconds(2);
    /** A job held ahead of free slots that has not started within this many ms goes back to its queue. */
    public static final long HOLD_LIMIT_MS = 1_000;
    /** After a held job went back unstarted, the worker holds none ahead of free slots for this many seconds. */
    public static final long HOLD_PAUSE_SECONDS = 30;

    private final String name;
    private final WorkerOptions options;
    private final java.time.Clock clock;
    private final Broker broker;
    private final JobExecutor executor;
    /** One permit per job this worker holds a lease on until its run ends: concurrency + prefetch (see HeldJobs). */
    private final HeldJobs.Slots slots;
    /** Null when the worker holds no jobs ahead of free slots (prefetch 0): then {@link #slots} alone limits runs. */
    private final HeldJobs held;
    /**
     * One permit per job from its handler's start until its outcome is stored: concurrency + prefetch + one ack
     * batch. A worker killed leaves at most that many started jobs to run again however far its acks lag (without
     * it, up to the completer's queue); a smaller cap made jobs wait to start at speed (docs/RELIABILITY.md).
     */
    private final Semaphore unsettled;
    // Keyed by the whole lease: a broker may give every job of one fetch the same token.
    private final Map<Lease, RunningJob> inFlight = new ConcurrentHashMap<>();
    private final Set<Lease> abandoned = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService virtualThreads;
    private final Map<String, ExecutorService> platformPools = new ConcurrentHashMap<>();
    private final Completer completer;
    private final Heartbeat heartbeat;
    /** The fetch loops (WorkerOptions.fetchers), each on its own platform thread. */
    private final List<Processor> processors = new java.util.ArrayList<>();
    private final List<Thread> processorThreads = new java.util.ArrayList<>();
    private final PausedQueues pausedQueues;
    private final WorkerRegistry registry;
    private final dev.conveyor.limit.Limiter limiter;
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    private final Object idle = new Object();
    private final Thread shutdownHook;
    /** Jobs in flight whose handler ignored its timeout interrupt past stuckAfter (see RunningJob#markStuck). */
    private final java.util.concurrent.atomic.AtomicInteger stuckNow = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong dead = new AtomicLong();
    private final AtomicLong released = new AtomicLong();
    private final AtomicLong stale = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong postponed = new AtomicLong();
    private final dev.conveyor.events.JobListener listener;
    private final java.util.concurrent.CountDownLatch firstStart = new java.util.concurrent.CountDownLatch(1);

    /**
     * Counters since start. {@code stale} counts outcomes the broker refused (lost leases); {@code cancelled}
     * runs stopped because their job was cancelled; {@code postponed} jobs put back unrun by a rate or
     * concurrency limit.
     */
    public record Stats(long succeeded, long retried, long dead, long released, long stale, int inFlight, int stuck,
                        long cancelled, long postponed) {}

    public Worker(Broker broker, Map<String, Task<?, ?>> tasks, List<dev.conveyor.middleware.Middleware> middleware,
                  com.fasterxml.jackson.databind.ObjectMapper mapper, java.time.Clock clock, WorkerOptions options) {
        this(broker, tasks, middleware, mapper, clock, options, dev.conveyor.events.JobListener.NONE);
    }

    /** @param listener hears jobs start and finish and this worker start and stop (metrics) */
    public Worker(Broker broker, Map<String, Task<?, ?>> tasks, List<dev.conveyor.middleware.Middleware> middleware,
                  com.fasterxml.jackson.databind.ObjectMapper mapper, java.time.Clock clock, WorkerOptions options,
                  dev.conveyor.events.JobListener listener) {
        this.listener = java.util.Objects.requireNonNull(listener, "listener");
        if (options.priorityAging() != null && !(broker instanceof dev.conveyor.broker.JobStore
                && broker instanceof dev.conveyor.broker.StateStore
                && broker.capabilities().containsAll(java.util.Set.of(dev.conveyor.broker.Capability.PRIORITY_AGING,
                        dev.conveyor.broker.Capability.STATE)))) {
            throw new IllegalStateException("priorityAging needs a broker with the capabilities PRIORITY_AGING and STATE; "
                    + broker.getClass().getSimpleName() + " has " + broker.capabilities());
        }
        this.name = defaultName();
        this.options = options;
        this.clock = clock;
        this.broker = broker;
        int prefetch = Math.min(options.prefetch(), options.concurrency());
        this.slots = new HeldJobs.Slots(options.concurrency() + prefetch);
        this.unsettled = new Semaphore(options.concurrency() + prefetch + options.completionBatch());
        ScheduledThreadPoolExecutor stpe = new ScheduledThreadPoolExecutor(2,
                Thread.ofPlatform().daemon().name("conveyor-timer-", 0).factory());
        stpe.setRemoveOnCancelPolicy(true);
        this.scheduler = stpe;
        this.held = prefetch > 0 ? new HeldJobs(options.concurrency(), prefetch, slots, stpe) : null;
        // ThreadLocalRandom must not be shared between threads: ask for the current thread's one at each use.
        java.util.random.RandomGenerator random = () -> ThreadLocalRandom.current().nextLong();
        boolean limited = tasks.values().stream().anyMatch(Task::hasLimits);
        this.limiter = limited && broker instanceof dev.conveyor.broker.StateStore state
                && broker.capabilities().contains(dev.conveyor.broker.Capability.STATE)
                ? new dev.conveyor.limit.Limiter(state, clock, options.leaseDuration()) : null;
        dev.conveyor.workflow.WorkflowSettler workflows = broker instanceof dev.conveyor.broker.StateStore state
                && broker.capabilities().contains(dev.conveyor.broker.Capability.STATE)
                ? new dev.conveyor.workflow.WorkflowSettler(broker, state, tasks, mapper, clock) : null;
        // The first handler start tells the processor this JVM is warm (see Processor: a new worker leases one job first).
        dev.conveyor.events.JobListener warmSignal = new dev.conveyor.events.JobListener() {
            @Override
            public void started(dev.conveyor.job.Job job, Duration waited) {
                firstStart.countDown();
            }
        };
        this.executor = new JobExecutor(tasks, middleware, mapper, clock, random, scheduler,
                options.stuckAfter(), limiter, workflows, dev.conveyor.events.JobListeners.of(List.of(listener, warmSignal)))
                .startMarker(this::markStarted);
        this.virtualThreads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("conveyor-job-", 0).factory());
        this.completer = new Completer(broker, options.completionBatch(), "conveyor-completer", this::recorded);
        this.heartbeat = new Heartbeat(broker, options.leaseDuration(), this::heldLeases);
        this.pausedQueues = broker instanceof dev.conveyor.broker.StateStore state
                && broker.capabilities().contains(dev.conveyor.broker.Capability.STATE) ? new PausedQueues(state) : null;
        this.registry = broker instanceof dev.conveyor.broker.StateStore state
                && broker.capabilities().contains(dev.conveyor.broker.Capability.STATE)
                ? new WorkerRegistry(state, clock, name, options.queues(), options.concurrency(),
                        options.heartbeatInterval(), inFlight::size, this::jobsHeld) : null;
        Processor.Loops loops = new Processor.Loops();
        for (int i = 0; i < options.fetchers(); i++) {
            Processor p = new Processor(broker, options.queues(), Math.min(options.fetchBatch(), options.concurrency()),
                    options.concurrency() + prefetch, firstStart, options.leaseDuration(), options.pollInterval(), slots, this::dispatch,
                    this::handBack, pausedQueues == null ? q -> q : pausedQueues::active, i, loops);
            processors.add(p);
            processorThreads.add(Thread.ofPlatform().daemon().name(i == 0 ? "conveyor-processor" : "conveyor-processor-" + (i + 1))
                    .unstarted(p));
        }
        this.shutdownHook = options.shutdownOnSigterm()
                ? Thread.ofPlatform().name("conveyor-shutdown").unstarted(() -> shutdown(options.shutdownGrace()))
                : null;
    }

    /** Marks a redelivered job started at the broker; a failure is logged, and the job runs anyway. */
    private void markStarted(dev.conveyor.broker.Lease lease) {
        try {
            broker.markStarted(List.of(lease));
        } catch (RuntimeException e) {
            log.warn("marking redelivered job {} started failed: {}; running it anyway", lease.jobId(), e.toString());
        }
    }

    /** Opens encrypted args with {@code cipher} (null: none here; such jobs go dead saying so). Call before {@link #start}. */
    public Worker argsCipher(dev.conveyor.crypto.ArgsCipher cipher) {
        executor.argsCipher(cipher);
        return this;
    }

    /** Starts fetching and running jobs. Called by {@code Conveyor.startWorker}. */
    public Worker start() {
        long hb = options.heartbeatInterval().toNanos();
        scheduler.scheduleWithFixedDelay(this::heartbeatNow, hb, hb, TimeUnit.NANOSECONDS);
        if (broker instanceof dev.conveyor.broker.JobStore store && options.retention().prunesAnything()) {
            Pruner pruner = new Pruner(store, options.retention(), clock);
            long every = options.retention().interval().toNanos();
            // A random first delay spreads the rounds of workers started together.
            scheduler.scheduleWithFixedDelay(pruner::runOnce, ThreadLocalRandom.current().nextLong(every), every,
                    TimeUnit.NANOSECONDS);
        }
        if (broker instanceof dev.conveyor.broker.StateStore state && options.retention().prunesAnything()
                && broker.capabilities().contains(dev.conveyor.broker.Capability.STATE)) {
            // Finished workflows' state (records, group states, member results) goes after Workflows.DEFAULT_KEEP.
            dev.conveyor.workflow.WorkflowJanitor janitor = new dev.conveyor.workflow.WorkflowJanitor(state, clock);
            long every = options.retention().interval().toNanos();
            scheduler.scheduleWithFixedDelay(janitor::runOnce, ThreadLocalRandom.current().nextLong(every), every,
                    TimeUnit.NANOSECONDS);
        }
        if (broker.capabilities().contains(dev.conveyor.broker.Capability.PROGRESS)) {
            scheduler.scheduleWithFixedDelay(this::saveProgress, 1, 1, TimeUnit.SECONDS);
        }
        if (options.priorityAging() != null) {
            PriorityAger ager = new PriorityAger((dev.conveyor.broker.JobStore) broker,
                    (dev.conveyor.broker.StateStore) broker, options.queues(), options.priorityAging(), clock);
            scheduler.scheduleWithFixedDelay(ager::runOnce, 1, 1, TimeUnit.SECONDS);
        }
        if (registry != null) { // the live-workers list (dashboard): one small record per worker, per beat
            scheduler.scheduleWithFixedDelay(registry::beat, 0, hb, TimeUnit.NANOSECONDS);
        }
        if (pausedQueues != null) {
            pausedQueues.refresh(); // before the first fetch: a paused queue is never fetched from
            scheduler.scheduleWithFixedDelay(pausedQueues::refresh, 1, 1, TimeUnit.SECONDS);
        }
        if (shutdownHook != null) Runtime.getRuntime().addShutdownHook(shutdownHook);
        processorThreads.forEach(Thread::start);
        log.info("worker {} started: queues {}, concurrency {}, lease {}", name, options.queues(),
                options.concurrency(), options.leaseDuration());
        listener.workerStarted(this);
        return this;
    }

    @Override
    public int concurrency() {
        return options.concurrency();
    }

    @Override
    public int jobsInFlight() {
        return inFlight.size();
    }

    @Override
    public int jobsHeld() {
        return held == null ? 0 : held.count();
    }

    @Override
    public String name() {
        return name;
    }

    public WorkerOptions options() {
        return options;
    }

    public Stats stats() {
        // O(1): polled often (metrics, dashboards, benchmarks), so no pass over the running jobs
        int stuck = Math.max(0, stuckNow.get());
        return new Stats(succeeded.get(), retried.get(), dead.get(), released.get(), stale.get(), inFlight.size(), stuck,
                cancelled.get(), postponed.get());
    }

    /** Time since the heartbeat last extended every held lease without an error (since start, before the first round). */
    @Override
    public Duration heartbeatAge() {
        return heartbeat.sinceLastSuccess();
    }

    /** Jobs leased and not yet recorded, including stuck ones. */
    public Collection<RunningJob> inFlight() {
        return List.copyOf(inFlight.values());
    }

    /** Reads the paused queues now, as the worker does every second (tests use it to avoid waiting). */
    public void refreshPausedQueues() {
        if (pausedQueues != null) pausedQueues.refresh();
    }

    /** Shortens the hold limit and the pause after it (see {@link #HOLD_LIMIT_MS}); for tests. No-op without prefetch. */
    void holdLimits(Duration limit, Duration pause) {
        if (held != null) held.limits(limit, pause);
    }

    /** Extends every held lease now, as the heartbeat does on its own schedule (tests use it with a settable clock). */
    public void heartbeatNow() {
        heartbeat.beat();
        if (limiter != null) limiter.extendHeld();
    }

    /**
     * Stores the progress handlers reported since the last call, one batched broker call (the latest report per
     * job). Runs every second; tests call it directly. A failure is logged and the reports are kept for next time.
     */
    public void saveProgress() {
        List<RunningJob> reported = new ArrayList<>();
        List<dev.conveyor.broker.ProgressUpdate> updates = new ArrayList<>();
        for (RunningJob r : inFlight.values()) {
            dev.conveyor.job.Progress p = r.takeUnsavedProgress();
            if (p != null) {
                reported.add(r);
                updates.add(new dev.conveyor.broker.ProgressUpdate(r.leased().lease(), p));
            }
        }
        if (updates.isEmpty()) return;
        try {
            broker.reportProgress(updates);
        } catch (RuntimeException e) {
            for (RunningJob r : reported) {
                r.markProgressUnsaved(); // the next round stores it (or a newer report)
            }
            log.warn("storing progress of {} job(s) failed: {}; retrying next second", updates.size(), e.toString());
        }
    }

    private void dispatch(LeasedJob leased) {
        RunningJob running = new RunningJob(leased).onStuck(stuckNow::incrementAndGet);
        inFlight.put(leased.lease(), running);
        try {
            executorFor(leased).execute(() -> run(running));
        } catch (RejectedExecutionException e) {
            slots.release();
            completer.submit(new Settlement.Release(leased.lease()));
        }
    }

    private void run(RunningJob running) {
        if (held != null && !held.awaitTurn()) { // held too long, or shutting down: back to its queue, unrun
            slots.release();
            completer.submit(new Settlement.Release(running.leased().lease()));
            return;
        }
        unsettled.acquireUninterruptibly(); // given back in recorded(); an interrupt still reaches the handler
        running.holdUnsettledPermit();
        Settlement settlement;
        try {
            settlement = executor.execute(running);
        } catch (Throwable t) {
            // A bug in Conveyor itself: hand the job back rather than lose or misfile it.
            log.error("internal error running job {}; handing it back", running.jobId(), t);
            settlement = new Settlement.Release(running.leased().lease());
        } finally {
            if (held != null) held.done(); // first: a held job takes the run slot at once
            slots.release();
        }
        completer.submit(settlement);
    }

    private ExecutorService executorFor(LeasedJob leased) {
        Task<?, ?> task = executor.task(leased.job().task());
        if (task != null && task.options().platformThreads() > 0) {
            return platformPools.computeIfAbsent("task:" + task.name(),
                    k -> platformPool(task.options().platformThreads(), "conveyor-" + task.name() + "-"));
        }
        Integer queueThreads = options.queuePlatformThreads().get(leased.job().queue());
        if (queueThreads != null) {
            return platformPools.computeIfAbsent("queue:" + leased.job().queue(),
                    k -> platformPool(queueThreads, "conveyor-q-" + leased.job().queue() + "-"));
        }
        return virtualThreads;
    }

    private static ExecutorService platformPool(int threads, String prefix) {
        return Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name(prefix, 0).factory());
    }

    private void handBack(List<LeasedJob> leased) {
        for (LeasedJob j : leased) completer.submit(new Settlement.Release(j.lease()));
    }

    private Collection<RunningJob> heldLeases() {
        if (abandoned.isEmpty()) return inFlight.values();
        List<RunningJob> held = new ArrayList<>(inFlight.size());
        inFlight.forEach((lease, r) -> {
            if (!abandoned.contains(lease)) held.add(r);
        });
        return held;
    }

    private void recorded(Settlement settlement, Outcome outcome) {
        RunningJob running = inFlight.remove(settlement.lease());
        if (running != null) { // null: leased but never dispatched, handed back at shutdown
            if (running.holdsUnsettledPermit()) unsettled.release();
            if (running.isStuck()) stuckNow.decrementAndGet();
            listener.finished(running.leased().job(), RecordedOutcome.of(settlement, outcome),
                    RecordedOutcome.handlerFailed(settlement, outcome), running.runTime());
        }
        if (outcome == Outcome.STALE) {
            stale.incrementAndGet();
            log.warn("job {}: outcome {} refused, its lease had expired or passed to another worker; "
                    + "the job's current holder decides it", settlement.lease().jobId(), settlement.getClass().getSimpleName());
        } else {
            switch (settlement) {
                case Settlement.Ack a -> succeeded.incrementAndGet();
                case Settlement.Retry r when r.failure().isPostponement() -> postponed.incrementAndGet();
                case Settlement.Retry r -> retried.incrementAndGet();
                case Settlement.Bury b when "cancelled".equals(b.failure().error().type()) -> {
                    cancelled.incrementAndGet();
                    log.info("job {} was cancelled while running", b.failure().lease().jobId());
                }
                case Settlement.Bury b -> {
                    dead.incrementAndGet();
                    log.warn("job {} is dead: {}", b.failure().lease().jobId(), b.failure().error().message());
                }
                case Settlement.Release r -> released.incrementAndGet();
            }
        }
        if (inFlight.isEmpty()) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /**
     * Stops gracefully: no new jobs; in-flight ones get {@code grace} to finish; the rest are interrupted and
     * handed back. Returns when done. Safe to call more than once (later calls return at once).
     */
    public void shutdown(Duration grace) {
        if (!shutdownStarted.compareAndSet(false, true)) {
            // Another caller (a shutdown hook, Conveyor.close) is already shutting down: wait for it to finish,
            // so nobody closes the broker under jobs that are still being recorded.
            awaitStopped();
            return;
        }
        log.info("worker {} shutting down: {} job(s) in flight, grace {}", name, inFlight.size(), grace);
        processors.forEach(Processor::stop);
        for (Thread t : processorThreads) join(t, Duration.ofSeconds(30));
        if (held != null) held.stop(); // jobs held ahead of free slots go back now, not when a slot frees
        if (!awaitIdle(grace)) {
            List<RunningJob> left = List.copyOf(inFlight.values());
            for (RunningJob r : left) {
                r.requestRelease(); // also stops a job still queued for a thread from starting its handler
                r.interruptHandler();
            }
            if (!awaitIdle(INTERRUPT_WAIT)) {
                for (RunningJob r : inFlight.values()) {
                    if (r.thread() != null) {
                        abandoned.add(r.leased().lease());
                        log.warn("job {} ({}) ignored the shutdown interrupt; leaving it to its lease, which is no "
                                + "longer extended", r.jobId(), r.leased().job().task());
                    }
                }
            }
        }
        completer.close();
        scheduler.shutdownNow();
        try {
            // A prune round or heartbeat in progress finishes before the caller may close the broker.
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (registry != null) registry.remove();
        virtualThreads.shutdown();
        platformPools.values().forEach(ExecutorService::shutdown);
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down
            }
        }
        Stats s = stats();
        log.info("worker {} stopped: {} succeeded, {} retried, {} dead, {} handed back", name, s.succeeded(),
                s.retried(), s.dead(), s.released());
        listener.workerStopped(this);
        stopped.countDown();
    }

    private void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #shutdown(Duration)} with the configured grace period. */
    @Override
    public void close() {
        shutdown(options.shutdownGrace());
    }

    private boolean awaitIdle(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (idle) {
            while (!inFlight.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, Math.min(left, 50_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private static void join(Thread t, Duration max) {
        try {
            t.join(max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        return host + "/" + ProcessHandle.current().pid() + "/" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFF);
    }
}
