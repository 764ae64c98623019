package dev.conveyor.testkit.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A broker server of a test's or a chaos scenario's own, from the machine's binaries, in a temporary directory on
 * a free loopback port: for what must never be done to the shared servers (SIGKILL, restart, TLS settings). Run as
 * root, each server runs as its service user ({@code runuser}). A missing binary fails with the package to install.
 *
 * <pre>{@code
 * try (PrivatePostgres pg = new PrivatePostgres()) {
 *     pg.start();
 *     Conveyor c = Conveyor.builder().broker(pg.url()).build();
 *     pg.kill();   // SIGKILL, no shutdown
 *     pg.start();  // same files
 * }
 * }</pre>
 */
public abstract class PrivateServer implements AutoCloseable {
    protected final Path dir;
    protected final int port;

    protected PrivateServer(String name) {
        try {
            this.dir = Files.createTempDirectory("conveyor-" + name + "-");
            this.port = freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The broker URL for Conveyor (producer and workers alike). */
    public abstract String url();

    /** Starts the server on its files and waits until it answers (up to 60 s). */
    public abstract void start();

    /** SIGKILL to the server and every process of it: no shutdown, no final write. */
    public abstract void kill();

    /** What runs, with its durability settings, for results and messages. */
    public abstract String describe();

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        try {
            kill();
        } catch (RuntimeException ignored) {
            // already gone
        }
        deleteTree(dir);
    }

    /** SIGKILLs a process and its descendants, collected before the parent dies (its children are re-parented then). */
    public static void killTree(long pid) {
        ProcessHandle.of(pid).ifPresent(p -> {
            List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
            p.destroyForcibly();
            all.forEach(ProcessHandle::destroyForcibly);
            all.add(p);
            for (ProcessHandle h : all) {
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // a re-parented child init has not reaped yet: it is dead all the same
                }
            }
        });
    }

    /** Runs a command to its end (as {@code user} when this process is root and user is not null); fails with its output. */
    static String run(List<String> command, String user) {
        List<String> full = new ArrayList<>();
        if (user != null && isRoot()) full.addAll(List.of("runuser", "-u", user, "--"));
        full.addAll(command);
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("command failed: " + String.join(" ", full) + "\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + full.getFirst(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Gives the directory to a service user (PostgreSQL, MariaDB) when running as root. */
    void chown(String user) {
        if (isRoot()) run(List.of("chown", "-R", user + ":" + user, dir.toString()), null);
    }

    static String binary(String name, String install, String... dirs) {
        for (String d : dirs) if (Files.isExecutable(Path.of(d, name))) return Path.of(d, name).toString();
        throw new IllegalStateException(name + " not found in " + String.join(", ", dirs) + "; install it with: apt-get install -y " + install);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static boolean accepts(int port) {
        try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
