package dev.conveyor.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts, kills and restarts {@link ChaosWorker} processes on this JVM's classpath. Workers start from a
 * class-data sharing archive, as the {@code conveyor} launcher's do: a restarted JVM then reaches its first job
 * in about half the time, which is what an operator's restarted worker does too. The archive is written once, by
 * a warm-up worker that starts on an empty queue and exits cleanly. They run with C1 alone and the serial
 * collector: what the scenarios wait for is their start, not their speed.
 */
final class ChaosProcesses implements AutoCloseable {
    private final String url;
    private final Path dir;
    private final int concurrency;
    private final long leaseMs;
    private final List<Process> live = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();

    /** One archive per class path (a rebuilt jar has a new modification time, which the JVM checks too). */
    private static final Path ARCHIVE = Path.of(System.getProperty("java.io.tmpdir"), "conveyor-chaos-worker-"
            + Integer.toHexString(System.getProperty("java.class.path").hashCode()) + ".jsa");
    private static final Object WARM_UP = new Object();

    ChaosProcesses(String url, Path dir, int concurrency, long leaseMs) {
        this.url = url;
        this.dir = dir;
        this.concurrency = concurrency;
        this.leaseMs = leaseMs;
    }

    /** Starts one worker and waits until it says READY (up to 60 s). */
    Process start() {
        warmUp();
        return launch("worker-" + started.incrementAndGet(), dir.resolve("ledger"), false);
    }

    /** Writes the class-data archive if it is missing: one worker starts on an empty queue and exits. */
    private void warmUp() {
        synchronized (WARM_UP) {
            if (Files.exists(ARCHIVE)) return;
            // Its ledger lines go to a file of its own that the scenario's checker never reads.
            Process p = launch("warm-up", dir.resolve("warm-up-ledger"), true);
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Process launch(String name, Path ledger, boolean warmUp) {
        Path out = dir.resolve(name + ".out");
        try {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // C1 only and the serial collector: a chaos worker runs at most a few hundred jobs a second,
                    // and three JVMs starting at once on two cores reach READY in ~3.1 s instead of 4.1-5.7 s
                    // (2026-11-27, 2 vCPU AMD EPYC), which is most of what the scenarios in CI wait for.
                    "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-XX:SharedArchiveFile=" + ARCHIVE, "-XX:+AutoCreateSharedArchive", "-Xlog:cds=off",
                    "-Xlog:cds+dynamic=off", "-cp", System.getProperty("java.class.path"), ChaosWorker.class.getName(),
                    url, ledger.toString(), Integer.toString(concurrency), Long.toString(leaseMs)));
            if (warmUp) command.add("warm-up");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (Files.exists(out) && Files.readString(out).contains("READY")) {
                    if (!warmUp) {
                        synchronized (live) {
                            live.add(p);
                        }
                    }
                    return p;
                }
                if (!p.isAlive()) break;
                Thread.sleep(20);
            }
            p.destroyForcibly();
            throw new IllegalStateException("chaos worker did not start; its output (" + out + "):\n"
                    + (Files.exists(out) ? Files.readString(out) : ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The workers running now. */
    List<Process> live() {
        synchronized (live) {
            live.removeIf(p -> !p.isAlive());
            return List.copyOf(live);
        }
    }

    /** SIGKILL: the process gets no chance to hand anything back. */
    static void kill(Process p) {
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGSTOP (pause) or SIGCONT (resume): the process keeps its state and its connections, and stops answering. */
    static void signal(Process p, String signal) {
        try {
            int rc = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor();
            if (rc != 0) throw new IllegalStateException("kill -" + signal + " " + p.pid() + " exited " + rc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        for (Process p : live()) kill(p);
    }
}
