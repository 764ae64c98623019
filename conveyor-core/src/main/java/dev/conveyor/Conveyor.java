package dev.conveyor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Capability;
import dev.conveyor.broker.Brokers;
import dev.conveyor.broker.EnqueueResult;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.StateStore;
import dev.conveyor.broker.TransactionalEnqueue;
import dev.conveyor.internal.Json;
import dev.conveyor.job.Job;
import dev.conveyor.middleware.Middleware;
import dev.conveyor.schedule.Schedule;
import dev.conveyor.schedule.Scheduler;
import dev.conveyor.worker.Worker;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The entry point: enqueue jobs, get handles to them, and run workers. Thread-safe; make one per broker and
 * share it.
 *
 * <pre>{@code
 * Conveyor conveyor = Conveyor.builder()
 *         .broker("sqlite:./conveyor-data/conveyor.db")   // or memory:, postgresql://…, redis://…
 *         .task(SEND_REPORT)
 *         .build();
 * JobHandle<Void> job = conveyor.enqueue(SEND_REPORT, new SendReport(42));   // returns at once
 * conveyor.startWorker(WorkerOptions.defaults());                          // or: conveyor worker --app …
 * job.await(Duration.ofSeconds(30));
 * }</pre>
 */
public final class Conveyor implements AutoCloseable {
    /** Where jobs go when no broker is configured: the embedded SQLite file. */
    public static final String DEFAULT_BROKER = "sqlite:./conveyor-data/conveyor.db";
    /** Most jobs per broker call in {@link #enqueueAll}; larger lists are sent in chunks of this size. */
    public static final int ENQUEUE_CHUNK = 1000;

    private final Broker broker;
    private final boolean ownsBroker;
    private final JobStore store;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final Map<String, Task<?, ?>> tasks;
    private final List<Middleware> middleware;
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final List<Schedule> schedules;
    /** Each schedule's args as JSON, written once at build time so a bad schedule fails at startup. */
    private final Map<String, String> scheduleArgs;
    private final dev.conveyor.events.JobListener listener;
    private final JobFactory factory;
    private final dev.conveyor.crypto.ArgsCipher argsCipher;
    private Scheduler scheduler;

    private Conveyor(Builder b) {
        this.clock = b.clock;
        this.mapper = b.mapper;
        this.tasks = Map.copyOf(b.tasks);
        this.middleware = List.copyOf(b.middleware);
        this.listener = dev.conveyor.events.JobListeners.of(b.listeners);
        this.argsCipher = b.argsCipher;
        for (Task<?, ?> t : b.tasks.values()) {
            if (t.encryptArgs() && argsCipher == null) {
                throw new IllegalStateException("task '" + t.name() + "' encrypts its args but no key is configured: "
                        + "add Conveyor.builder().argsCipher(ArgsCipher.parse(System.getenv(\"CONVEYOR_ARGS_KEYS\")))");
            }
        }
        this.factory = new JobFactory(mapper, clock, b.headerPropagators, argsCipher);
        if (b.brokerInstance != null) {
            this.broker = b.brokerInstance;
            this.ownsBroker = false;
        } else {
            this.broker = Brokers.open(b.brokerUrl == null ? DEFAULT_BROKER : b.brokerUrl, new BrokerContext(clock));
            this.ownsBroker = true;
        }
        this.store = broker instanceof JobStore s ? s : null;
        this.schedules = List.copyOf(b.schedules.values());
        Map<String, String> args = new LinkedHashMap<>();
        try {
            for (Schedule sc : schedules) args.put(sc.name(), factory.scheduleArgs(sc));
        } catch (RuntimeException e) {
            if (ownsBroker) broker.close();
            throw e;
        }
        this.scheduleArgs = Map.copyOf(args);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Enqueues one job with the task's options. */
    public <A, R> JobHandle<R> enqueue(Task<A, R> task, A args) {
        return enqueue(task, args, EnqueueOptions.defaults());
    }

    /** Enqueues one job, with per-enqueue overrides (delay, priority, queue, unique key, headers). */
    public <A, R> JobHandle<R> enqueue(Task<A, R> task, A args, EnqueueOptions options) {
        return enqueueAll(task, List.of(args), options).get(0);
    }

    /** Enqueues many jobs of one task in as few broker calls as possible (up to 1,000 per call). */
    public <A, R> List<JobHandle<R>> enqueueAll(Task<A, R> task, List<A> argsList) {
        return enqueueAll(task, argsList, EnqueueOptions.defaults());
    }

    /** Enqueues many jobs of one task, each with the same overrides. */
    public <A, R> List<JobHandle<R>> enqueueAll(Task<A, R> task, List<A> argsList, EnqueueOptions options) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(options, "options");
        List<Job> batch = new ArrayList<>(argsList.size());
        for (A args : argsList) batch.add(factory.fromTask(task, args, options));
        return submit(batch, task.resultType());
    }

    /**
     * Enqueues one job inside the caller's SQL transaction: it exists if and only if {@code transaction}
     * commits. Conveyor does not commit, roll back or close the connection. Needs a SQL broker (sqlite:,
     * postgresql://, mariadb://) on the same database.
     *
     * <pre>{@code
     * try (Connection c = dataSource.getConnection()) {
     *     c.setAutoCommit(false);
     *     long orderId = insertOrder(c, order);
     *     conveyor.enqueue(c, SEND_RECEIPT, new Receipt(orderId));   // same transaction
     *     c.commit();                                                  // both, or neither
     * }
     * }</pre>
     */
    public <A, R> JobHandle<R> enqueue(java.sql.Connection transaction, Task<A, R> task, A args) {
        return enqueueAll(transaction, task, List.of(args), EnqueueOptions.defaults()).get(0);
    }

    /** {@link #enqueue(java.sql.Connection, Task, Object)} for many jobs, with per-enqueue overrides. */
    public <A, R> List<JobHandle<R>> enqueueAll(java.sql.Connection transaction, Task<A, R> task, List<A> argsList,
                                                EnqueueOptions options) {
        Objects.requireNonNull(transaction, "transaction");
        if (!(broker instanceof TransactionalEnqueue tx)) {
            throw new IllegalStateException("broker " + broker + " cannot enqueue inside a SQL transaction; use a SQL "
                    + "broker (sqlite:, postgresql://, mariadb://) on the same database");
        }
        List<Job> batch = new ArrayList<>(argsList.size());
        for (A args : argsList) batch.add(factory.fromTask(task, args, options));
        List<JobHandle<R>> handles = new ArrayList<>(batch.size());
        List<EnqueueResult> results = tx.enqueue(transaction, batch);
        tellEnqueued(batch, results);
        for (EnqueueResult r : results) {
            handles.add(new JobHandle<>(r.id(), r.duplicate(), task.resultType(), store, mapper, this::cancel));
        }
        return handles;
    }

    /**
     * Enqueues a job by task name with args given as JSON text, for callers that do not have the task's
     * classes (the CLI, a bridge from another system). The task's options are not known here: the job gets
     * the defaults plus {@code options}.
     */
    public JobHandle<JsonNode> enqueueJson(String taskName, String argsJson, EnqueueOptions options) {
        Job.requireTaskName(taskName);
        String args;
        try {
            args = Json.readExact(argsJson == null ? "" : argsJson).toString(); // decimals as given
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("args must be JSON: " + e.getOriginalMessage());
        }
        Task<?, ?> known = tasks.get(taskName);
        Job job = factory.build(taskName, args, known, null, options);
        return submit(List.of(job), JsonNode.class).get(0);
    }

    /** Cancels jobs by id (see {@link JobHandle#cancel}); one answer per id, in order. */
    public List<dev.conveyor.broker.CancelResult> cancel(List<String> ids) {
        if (store == null) throw new IllegalStateException("this broker keeps no job state; it cannot cancel jobs");
        if (!broker.capabilities().contains(Capability.CANCELLATION)) {
            throw new IllegalStateException(broker.getClass().getSimpleName() + " cannot cancel jobs (capability CANCELLATION)");
        }
        List<dev.conveyor.broker.CancelResult> results = store.cancel(ids);
        if (broker instanceof StateStore && broker.capabilities().contains(Capability.STATE)) {
            workflows().cancelledBeforeStart(ids, results); // a cancelled workflow step fails its workflow
        }
        return results;
    }

    /**
     * Starts a workflow (chains, groups, chords of tasks; see {@link dev.conveyor.workflow.Flow}) and returns at
     * once with a handle to await its result from any process. Needs a broker with capability STATE.
     *
     * <pre>{@code
     * WorkflowHandle<Integer> total = conveyor.start(
     *         Flow.chord(List.of(Flow.step(COUNT, "a.txt"), Flow.step(COUNT, "b.txt")), SUM), Integer.class);
     * int words = total.get(Duration.ofMinutes(1));
     * }</pre>
     */
    public <R> dev.conveyor.workflow.WorkflowHandle<R> start(dev.conveyor.workflow.Flow flow, Class<R> resultType) {
        return workflows().start(flow, resultType);
    }

    /** A handle to a workflow started elsewhere, by its id. */
    public <R> dev.conveyor.workflow.WorkflowHandle<R> workflow(String id, Class<R> resultType) {
        return workflows().handle(id, resultType);
    }

    /** Workflows on this broker: start them, find them, show their graphs. Needs capability STATE. */
    public dev.conveyor.workflow.Workflows workflows() {
        return new dev.conveyor.workflow.Workflows(broker, requireState("workflows"), store, tasks, mapper, clock);
    }

    /** A handle to an existing job, for awaiting it from another process. */
    public <R> JobHandle<R> handle(Task<?, R> task, String jobId) {
        return new JobHandle<>(jobId, false, task.resultType(), store, mapper, this::cancel);
    }

    private <R> List<JobHandle<R>> submit(List<Job> jobs, Class<R> resultType) {
        List<JobHandle<R>> handles = new ArrayList<>(jobs.size());
        for (int from = 0; from < jobs.size(); from += ENQUEUE_CHUNK) {
            List<Job> chunk = jobs.subList(from, Math.min(jobs.size(), from + ENQUEUE_CHUNK));
            List<EnqueueResult> results = broker.enqueue(chunk);
            tellEnqueued(chunk, results);
            for (EnqueueResult r : results) {
                handles.add(new JobHandle<>(r.id(), r.duplicate(), resultType, store, mapper, this::cancel));
            }
        }
        return handles;
    }

    /** Tells the listeners about the jobs a broker call stored (a duplicate of a unique job stored nothing). */
    private void tellEnqueued(List<Job> jobs, List<EnqueueResult> results) {
        for (int i = 0; i < jobs.size() && i < results.size(); i++) {
            if (!results.get(i).duplicate()) listener.enqueued(jobs.get(i));
        }
    }

    /** Starts a worker in this JVM that runs the registered tasks. Close it (or this) to stop it gracefully. */
    public Worker startWorker(WorkerOptions options) {
        Objects.requireNonNull(options, "options");
        if (tasks.isEmpty()) {
            throw new IllegalStateException("no tasks are registered: add them with Conveyor.builder().task(...)");
        }
        Worker w = new Worker(broker, tasks, middleware, mapper, clock, options, listener).argsCipher(argsCipher).start();
        workers.add(w);
        if (!schedules.isEmpty()) startScheduler();
        return w;
    }

    /**
     * Starts this instance's scheduler if it has schedules and it is not running yet ({@link #startWorker} does
     * this itself): a process that only schedules, and runs no jobs, calls it directly. Returns it, or null when
     * there are no schedules. Needs a broker with {@link Capability#STATE}.
     */
    public synchronized Scheduler startScheduler() {
        if (schedules.isEmpty()) return null;
        if (scheduler == null) scheduler = newScheduler().start(Scheduler.DEFAULT_TICK);
        return scheduler;
    }

    /**
     * A scheduler for this instance's schedules that is not started: tests drive it with {@code runOnce()}
     * and a settable clock.
     */
    public Scheduler newScheduler() {
        return new Scheduler(schedules, requireState("cron schedules"), store, clock, this::enqueueTick);
    }

    /**
     * Pauses {@code queue} for every worker on this broker: within about a second none fetches from it (running
     * jobs finish). Returns false if it was already paused. Needs {@link Capability#STATE}.
     */
    public boolean pauseQueue(String queue) {
        return dev.conveyor.worker.PausedQueues.set(requireState("pausing queues"), queue, true, clock.instant());
    }

    /** Resumes a paused queue for every worker. Returns false if it was not paused. */
    public boolean resumeQueue(String queue) {
        return dev.conveyor.worker.PausedQueues.set(requireState("pausing queues"), queue, false, clock.instant());
    }

    /** The queues paused for every worker on this broker. */
    public java.util.Set<String> pausedQueues() {
        return dev.conveyor.worker.PausedQueues.read(requireState("pausing queues"));
    }

    private StateStore requireState(String feature) {
        if (!(broker instanceof StateStore state) || !broker.capabilities().contains(Capability.STATE)) {
            throw new IllegalStateException(feature + " needs a broker with capability STATE (shared state); "
                    + broker.getClass().getSimpleName() + " does not have it. The SQLite, PostgreSQL, MariaDB and "
                    + "memory brokers do.");
        }
        return state;
    }

    private EnqueueResult enqueueTick(Schedule sc, Instant fireTime) {
        Task<?, ?> known = tasks.get(sc.taskName());
        Job job = factory.forTick(sc, scheduleArgs.get(sc.name()), known, fireTime);
        List<EnqueueResult> results = broker.enqueue(List.of(job));
        tellEnqueued(List.of(job), results);
        return results.get(0);
    }

    /** The schedules registered with {@link Builder#schedule}. */
    public List<Schedule> schedules() {
        return schedules;
    }

    public Broker broker() {
        return broker;
    }

    /** The job store (results, inspection), or null for a broker that keeps no job state. */
    public JobStore store() {
        return store;
    }

    public Clock clock() {
        return clock;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** The registered tasks by name. */
    public Map<String, Task<?, ?>> tasks() {
        return tasks;
    }

    public List<Middleware> middleware() {
        return middleware;
    }

    /** Shuts down this instance's workers gracefully, then closes the broker if this instance opened it. */
    @Override
    public void close() {
        synchronized (this) {
            if (scheduler != null) scheduler.close();
        }
        for (Worker w : workers) w.close();
        if (ownsBroker) broker.close();
    }

    /** Configures a {@link Conveyor}. Every option has a default; {@link #build()} validates. */
    public static final class Builder {
        private String brokerUrl;
        private Broker brokerInstance;
        private Clock clock = Clock.systemUTC();
        private ObjectMapper mapper = Json.mapper();
        private final Map<String, Task<?, ?>> tasks = new LinkedHashMap<>();
        private final List<Middleware> middleware = new ArrayList<>();
        private final Map<String, Schedule> schedules = new LinkedHashMap<>();
        private final List<dev.conveyor.events.JobListener> listeners = new ArrayList<>();
        private final List<dev.conveyor.trace.HeaderPropagator> headerPropagators = new ArrayList<>();
        private dev.conveyor.crypto.ArgsCipher argsCipher;

        private Builder() {}

        /**
         * Adds a cron schedule. Workers of this instance run a scheduler for all of them; however many
         * processes run it, each tick is enqueued once. Names must be unique.
         */
        public Builder schedule(Schedule schedule) {
            Objects.requireNonNull(schedule, "schedule");
            if (schedules.putIfAbsent(schedule.name(), schedule) != null) {
                throw new IllegalArgumentException("two schedules are named '" + schedule.name() + "'");
            }
            return this;
        }

        /** The broker by URL. Defaults to {@value Conveyor#DEFAULT_BROKER}. */
        public Builder broker(String url) {
            Brokers.scheme(url); // validates early, with a clear message
            this.brokerUrl = url;
            this.brokerInstance = null;
            return this;
        }

        /** A broker opened elsewhere (the caller closes it). */
        public Builder broker(Broker broker) {
            this.brokerInstance = Objects.requireNonNull(broker, "broker");
            this.brokerUrl = null;
            return this;
        }

        /** The clock for due times, leases and timestamps. Defaults to the system clock (UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The JSON mapper for args and results. Defaults to Conveyor's (Java time support, unknown fields ignored). */
        public Builder mapper(ObjectMapper mapper) {
            this.mapper = Objects.requireNonNull(mapper, "mapper");
            return this;
        }

        /** Registers a task so workers of this instance run it. Names must be unique. */
        public Builder task(Task<?, ?> task) {
            Objects.requireNonNull(task, "task");
            Task<?, ?> before = tasks.putIfAbsent(task.name(), task);
            if (before != null && before != task) {
                throw new IllegalArgumentException("task name '" + task.name() + "' is registered twice");
            }
            return this;
        }

        public Builder tasks(Task<?, ?>... tasks) {
            for (Task<?, ?> t : tasks) task(t);
            return this;
        }

        /** Adds middleware around every handler; the first added is the outermost. */
        public Builder middleware(Middleware m) {
            middleware.add(Objects.requireNonNull(m, "middleware"));
            return this;
        }

        /**
         * Adds a listener that hears jobs enqueued, started and finished, and workers started and stopped
         * (metrics: {@code conveyor-metrics}'s {@code ConveyorMetrics}). See {@link dev.conveyor.events.JobListener}.
         */
        public Builder listener(dev.conveyor.events.JobListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Adds headers to every job at enqueue, e.g. the current W3C trace context; headers set on
         * {@link EnqueueOptions} win. See {@link dev.conveyor.trace.HeaderPropagator}.
         */
        public Builder headerPropagator(dev.conveyor.trace.HeaderPropagator propagator) {
            headerPropagators.add(Objects.requireNonNull(propagator, "propagator"));
            return this;
        }

        /**
         * The keys that seal and open the args of tasks marked {@link Task.Builder#encryptArgs()}; every process
         * that enqueues or runs such tasks needs them. See {@link dev.conveyor.crypto.ArgsCipher}.
         */
        public Builder argsCipher(dev.conveyor.crypto.ArgsCipher cipher) {
            this.argsCipher = Objects.requireNonNull(cipher, "cipher");
            return this;
        }

        /** The broker URL set so far, or null. */
        public String brokerUrl() {
            return brokerUrl;
        }

        public Conveyor build() {
            return new Conveyor(this);
        }
    }
}
