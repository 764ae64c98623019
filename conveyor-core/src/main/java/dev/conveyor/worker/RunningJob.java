package dev.conveyor.worker;

import dev.conveyor.broker.LeasedJob;
import java.time.Instant;

/**
 * A job this worker holds a lease on, from fetch until its settlement is recorded. The heartbeat extends
 * every lease in the in-flight set; the watchdog and shutdown flag it and interrupt its thread.
 */
public final class RunningJob {
    private final LeasedJob leased;
    private volatile Thread thread;
    private volatile long deadlineNanos;  // 0 = no timeout
    private volatile Instant deadline;
    private volatile boolean timedOut;
    private volatile boolean stuck;
    private volatile boolean releaseRequested;
    private volatile boolean leaseLost;
    private volatile boolean cancelRequested;
    private volatile dev.conveyor.job.Progress progress;
    private volatile boolean progressUnsaved;
    private volatile dev.conveyor.workflow.Flow replacement;
    private volatile long runNanos = -1; // -1: the handler has not run (yet)
    private volatile boolean unsettledPermit; // counted among its worker's started jobs not yet recorded
    private Runnable onStuck = () -> { };

    RunningJob(LeasedJob leased) {
        this.leased = leased;
    }

    /** A running job for code that executes jobs itself (the {@code testing} helpers). */
    public static RunningJob of(LeasedJob leased) {
        return new RunningJob(leased);
    }

    public LeasedJob leased() {
        return leased;
    }

    public String jobId() {
        return leased.job().id();
    }

    Thread thread() {
        return thread;
    }

    /**
     * Sets (or, with null, clears) the thread running the handler. Clearing is serialised with
     * {@link #interruptHandler} so an interrupt is delivered only while the handler runs: after clearing, the
     * executor clears the thread's interrupt flag, and no late interrupt can follow it into other work.
     */
    synchronized void thread(Thread t) {
        this.thread = t;
    }

    /** Interrupts the handler if it is running; returns false if it is not (not started, or returned). */
    synchronized boolean interruptHandler() {
        if (thread == null) return false;
        thread.interrupt();
        return true;
    }

    Instant deadline() {
        return deadline;
    }

    void deadline(Instant deadline, long deadlineNanos) {
        this.deadline = deadline;
        this.deadlineNanos = deadlineNanos;
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    boolean timedOut() {
        return timedOut;
    }

    void markTimedOut() {
        timedOut = true;
    }

    /** Its worker counts it among the started jobs whose outcome is not stored yet (Worker's {@code unsettled}). */
    void holdUnsettledPermit() {
        unsettledPermit = true;
    }

    boolean holdsUnsettledPermit() {
        return unsettledPermit;
    }

    /** True once the handler ignored its timeout interrupt for longer than {@code stuckAfter}. */
    public boolean isStuck() {
        return stuck;
    }

    synchronized void markStuck() {
        if (stuck) return;
        stuck = true;
        onStuck.run();
    }

    /** Runs {@code r} when the job is first marked stuck (the worker counts its stuck jobs so). */
    RunningJob onStuck(Runnable r) {
        this.onStuck = r;
        return this;
    }

    boolean releaseRequested() {
        return releaseRequested;
    }

    void requestRelease() {
        releaseRequested = true;
    }

    /** True once a heartbeat was refused: the broker has given the job up, so its completion will be refused. */
    public boolean isLeaseLost() {
        return leaseLost;
    }

    void markLeaseLost() {
        leaseLost = true;
    }

    /** True once the broker told the heartbeat that the job was cancelled. */
    public boolean isCancelRequested() {
        return cancelRequested;
    }

    /** Flags the run as cancelled and interrupts its handler (if it has started). Returns false if already flagged. */
    boolean requestCancel() {
        if (cancelRequested) return false;
        cancelRequested = true;
        interruptHandler();
        return true;
    }

    /** The latest progress the handler reported, or null. */
    public dev.conveyor.job.Progress progress() {
        return progress;
    }

    void progress(dev.conveyor.job.Progress p) {
        progress = p;
        progressUnsaved = true;
    }

    void markProgressUnsaved() {
        progressUnsaved = true;
    }

    /** Takes the progress not yet stored (null if none), marking it stored. */
    dev.conveyor.job.Progress takeUnsavedProgress() {
        if (!progressUnsaved) return null;
        progressUnsaved = false;
        return progress;
    }

    /** How long the handler ran, or null when it has not run (refused unrun, postponed, handed back). */
    public java.time.Duration runTime() {
        long n = runNanos;
        return n < 0 ? null : java.time.Duration.ofNanos(n);
    }

    void ranFor(long nanos) {
        runNanos = nanos;
    }

    /** The flow its handler fanned out into ({@code JobContext.replaceWith}), or null. */
    public dev.conveyor.workflow.Flow replacement() {
        return replacement;
    }

    void replaceWith(dev.conveyor.workflow.Flow flow) {
        replacement = java.util.Objects.requireNonNull(flow, "flow");
    }
}
