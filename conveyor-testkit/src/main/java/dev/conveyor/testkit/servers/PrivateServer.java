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

    /** The server's process when it runs in the foreground ({@link #launch}); null when stopped. */
    protected Process process;

    /** The broker URL for Conveyor (producer and workers alike). */
    public String url() {
        return url("");
    }

    /** The broker URL with more options ({@code "pool=4&sslmode=require"}). */
    public abstract String url(String options);

    /** Starts the server on its files and waits until it answers (up to 60 s). */
    public abstract void start();

    /** SIGKILL to the server and every process of it: no shutdown, no final write. */
    public void kill() {
        if (process == null) return;
        killTree(process.pid());
        process = null;
    }

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

    /** Starts {@code server} and returns it; closes it (deleting its files) if it does not start. */
    public static <S extends PrivateServer> S started(S server) {
        try {
            server.start();
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * Runs a server process in the foreground (its output to {@code stdout.log}) and waits up to 60 s until
     * {@code ready} says it answers; fails, naming {@code log}, if it exits first or never answers.
     */
    Process launch(List<String> command, java.util.function.BooleanSupplier ready, Path log) {
        String name = Path.of(command.getFirst()).getFileName().toString();
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) throw new IllegalStateException(name + " on port " + port + " exited at start; see " + log);
                if (ready.getAsBoolean()) return process;
                Thread.sleep(20);
            }
            killTree(process.pid());
            throw new IllegalStateException(name + " on port " + port + " did not answer within 60 s; see " + log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Copies a certificate and its key to {@code server.crt} and {@code server.key} in {@code into}, for {@code user}. */
    void installCert(SelfSignedCert cert, Path into, String user) {
        try {
            java.nio.file.Files.copy(cert.cert(), into.resolve("server.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            java.nio.file.Files.copy(cert.key(), into.resolve("server.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        chown(user);
        run(List.of("chmod", "600", into.resolve("server.key").toString()), null);
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
