package dev.conveyor.bench.peers.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The scenarios of the drivers' protocol for a {@link JvmSystem}; the Node and Python drivers implement the same
 * steps (bench/peers/node/common.js, bench/peers/python/common.py). Prints {@code READY <epoch ms>} once the
 * worker takes jobs and, at the end, one line {@code RESULT <json>}; exits 0 when every job was recorded, 1 if
 * not, 2 on bad arguments.
 *
 * <ul>
 *   <li>{@code throughput}: N jobs enqueued in bulk (batches of B) with no worker; then a worker starts and
 *       drains them. jobs/s = N / (time the system's books show the last one done - the first handler start).</li>
 *   <li>{@code e2e}: a worker runs; the producer enqueues N in batches while it drains. jobs/s = N / (last
 *       recorded - first enqueue).</li>
 *   <li>{@code io}: as e2e, each job sleeping {@code --sleep-ms}; the wall time is the figure.</li>
 *   <li>{@code latency}: open loop at R jobs/s, one job per enqueue call; job i is due at start + i/R and carries
 *       that time, and is sent then on a virtual thread of its own (concurrent sends: a slow one delays only its
 *       own job); the handler records now - due (coordinated-omission-safe). The first W ms are not recorded,
 *       and {@link #PRIME} jobs sent one by one before the schedule starts are not either.</li>
 *   <li>{@code footprint}: a worker starts, idles {@code --idle-ms} (the orchestrator reads its RSS), then runs
 *       an e2e of N jobs (the RSS under load).</li>
 * </ul>
 */
public final class JvmHarness {
    /** Jobs sent one at a time, unmeasured, before the latency schedule starts (the same in every harness). */
    static final int PRIME = 100;

    private JvmHarness() {}

    /** Parses the arguments, builds the system, runs the scenario, prints the result; never returns. */
    public static void main(String[] args, Function<DriverArgs, JvmSystem> factory) {
        DriverArgs a;
        try {
            a = DriverArgs.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("driver: " + e.getMessage());
            System.exit(2);
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        boolean ok;
        try (JvmSystem s = factory.apply(a)) {
            out.put("system", s.name());
            out.put("version", s.version());
            out.put("scenario", a.scenario());
            out.put("settings", s.settings(a));
            ok = run(s, a, out);
        } catch (Throwable e) {
            e.printStackTrace();
            out.put("error", e.toString());
            ok = false;
        }
        out.put("ok", ok);
        try {
            System.out.println("RESULT " + new ObjectMapper().writeValueAsString(out));
        } catch (Exception e) {
            System.out.println("RESULT {\"ok\":false,\"error\":\"cannot write the result\"}");
        }
        System.out.flush();
        stopRecordings();
        Runtime.getRuntime().halt(ok ? 0 : 1); // some systems leave non-daemon threads behind
    }

    /**
     * Stops the flight recordings started with {@code -XX:StartFlightRecording:filename=…} (for instance through
     * {@code JAVA_TOOL_OPTIONS}), which writes them: a halted JVM would leave their files empty.
     */
    private static void stopRecordings() {
        if (!jdk.jfr.FlightRecorder.isInitialized()) return;
        for (jdk.jfr.Recording r : jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings()) {
            if (r.getDestination() != null && r.getState() == jdk.jfr.RecordingState.RUNNING) r.stop();
        }
    }

    static boolean run(JvmSystem s, DriverArgs a, Map<String, Object> out) throws Exception {
        Recorder rec = Recorder.INSTANCE;
        long deadline = System.nanoTime() + Long.getLong("driver.timeoutSeconds", 600) * 1_000_000_000L;
        int n = a.jobs();
        int sleep = a.scenario().equals("io") ? (a.sleepMs() > 0 ? a.sleepMs() : 100) : 0;
        out.put("jobs", n);
        out.put("concurrency", a.concurrency());
        switch (a.scenario()) {
            case "throughput" -> {
                long t0 = Recorder.nowMicros();
                enqueueAll(s, n, 0, a.batch());
                long t1 = Recorder.nowMicros();
                out.put("enqueueMs", (t1 - t0) / 1000.0);
                s.startWorker(a.concurrency());
                ready();
                boolean done = s.awaitRecorded(n, deadline);
                long end = Recorder.nowMicros();
                return finish(out, rec, n, done, rec.firstStartMicros(), end);
            }
            case "e2e", "io", "footprint" -> {
                s.startWorker(a.concurrency());
                ready();
                if (a.scenario().equals("footprint")) Thread.sleep(a.idleMs());
                // I/O-bound runs last about a second: primed like latency, or they would measure the cold start
                // (footprint's business) more than the concurrency.
                int primed = a.scenario().equals("io") ? prime(s, deadline) : 0;
                out.put("primingJobs", primed);
                long t0 = Recorder.nowMicros();
                enqueueAll(s, n, sleep, a.batch());
                out.put("enqueueMs", (Recorder.nowMicros() - t0) / 1000.0);
                boolean done = s.awaitRecorded(primed + n, deadline);
                return finish(out, rec, n, done, t0, Recorder.nowMicros(), primed);
            }
            case "latency" -> {
                s.startWorker(a.concurrency());
                ready();
                prime(s, deadline);
                long total = (a.warmupMs() + a.durationMs()) * a.rate() / 1000;
                long base = Recorder.nowMicros() + 20_000;
                long measureFrom = base + a.warmupMs() * 1000;
                // each send on a virtual thread of its own, started when due (concurrent requests, as in every
                // harness): a slow send delays its own job, and is counted in it
                var failed = new java.util.concurrent.atomic.AtomicReference<Exception>();
                try (var senders = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                    for (long i = 0; i < total && failed.get() == null; i++) {
                        long due = base + i * 1_000_000L / a.rate();
                        long wait;
                        while ((wait = due - Recorder.nowMicros()) > 0) LockSupport.parkNanos(wait * 1000);
                        JvmSystem.Payload p = new JvmSystem.Payload(PRIME + i, due >= measureFrom ? due : 0, 0);
                        senders.execute(() -> {
                            try {
                                s.enqueueOne(p);
                            } catch (Exception e) {
                                failed.compareAndSet(null, e);
                            }
                        });
                    }
                }
                if (failed.get() != null) throw failed.get();
                out.put("rate", a.rate());
                out.put("jobs", total);
                out.put("primingJobs", PRIME);
                boolean done = s.awaitRecorded(PRIME + total, deadline);
                out.put("latencyUs", rec.latencyMicros());
                return finish(out, rec, PRIME + total, done, base, Recorder.nowMicros());
            }
            default -> throw new IllegalArgumentException(a.scenario());
        }
    }

    /**
     * Priming: PRIME jobs one at a time, unmeasured, before the measured part, so the enqueue and run paths are
     * loaded and compiled in every runtime alike (a cold start is footprint's business). Returns PRIME.
     */
    private static int prime(JvmSystem s, long deadline) throws Exception {
        for (int i = 0; i < PRIME; i++) s.enqueueOne(new JvmSystem.Payload(i, 0, 0));
        if (!s.awaitRecorded(PRIME, deadline)) throw new IllegalStateException("the priming jobs did not finish");
        return PRIME;
    }

    private static void enqueueAll(JvmSystem s, int n, int sleepMs, int batch) throws Exception {
        for (int from = 0; from < n; from += batch) {
            List<JvmSystem.Payload> b = new ArrayList<>(Math.min(batch, n - from));
            for (int i = from; i < Math.min(n, from + batch); i++) b.add(new JvmSystem.Payload(i, 0, sleepMs));
            s.enqueueBulk(b);
        }
    }

    private static void ready() {
        System.out.println("READY " + System.currentTimeMillis());
        System.out.flush();
    }

    private static boolean finish(Map<String, Object> out, Recorder rec, long n, boolean done, long fromMicros, long endMicros) {
        return finish(out, rec, n, done, fromMicros, endMicros, 0);
    }

    /** {@code n} measured jobs after {@code primed} unmeasured ones: every one of them must have run once. */
    private static boolean finish(Map<String, Object> out, Recorder rec, long n, boolean done, long fromMicros, long endMicros,
                                  int primed) {
        out.put("completed", rec.finishedCount());
        out.put("recorded", done);
        double wallMs = (endMicros - fromMicros) / 1000.0;
        out.put("wallMs", wallMs);
        if (done) out.put("jobsPerSecond", n / (wallMs / 1000.0));
        return done && rec.finishedCount() == n + primed;
    }
}
