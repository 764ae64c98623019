package dev.conveyor.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts, kills and restarts {@link ChaosWorker} processes on this JVM's classpath. */
final class ChaosProcesses implements AutoCloseable {
    private final String url;
    private final Path dir;
    private final int concurrency;
    private final long leaseMs;
    private final List<Process> live = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();

    ChaosProcesses(String url, Path dir, int concurrency, long leaseMs) {
        this.url = url;
        this.dir = dir;
        this.concurrency = concurrency;
        this.leaseMs = leaseMs;
    }

    /** Starts one worker and waits until it says READY (up to 60 s). */
    Process start() {
        Path out = dir.resolve("worker-" + started.incrementAndGet() + ".out");
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), ChaosWorker.class.getName(),
                    url, dir.resolve("ledger").toString(), Integer.toString(concurrency), Long.toString(leaseMs))
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (Files.exists(out) && Files.readString(out).contains("READY")) {
                    synchronized (live) {
                        live.add(p);
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
