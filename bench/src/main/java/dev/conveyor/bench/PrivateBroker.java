package dev.conveyor.bench;

import java.io.IOException;
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
 * A broker server of the scenario's own (never the shared one): started from the machine's binaries in a
 * temporary directory on a free loopback port, killed with SIGKILL and started again on the same files.
 * See ../shared/docs/SERVICES.md: PostgreSQL and MariaDB refuse root, so they run as their own users.
 */
abstract class PrivateBroker implements AutoCloseable {
    final Path dir;
    final int port;

    PrivateBroker(String name) {
        try {
            this.dir = Files.createTempDirectory("conveyor-" + name + "-");
            this.port = freePort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The private instance for a broker kind, started; null where the kind has no server (memory, SQLite). */
    static PrivateBroker start(BrokerKind kind) {
        PrivateBroker b = switch (kind) {
            case REDIS -> new PrivateRedis();
            case POSTGRES -> new PrivatePostgres();
            case MARIADB -> new PrivateMariadb();
            default -> null;
        };
        if (b == null) return null;
        try {
            b.start();
            return b;
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    /** The broker URL for Conveyor (producer and workers alike). */
    abstract String url();

    /** Starts the server on its files and waits until it answers (up to 60 s). */
    abstract void start();

    /** SIGKILL to the server and every process of it: no shutdown, no final write. */
    abstract void kill();

    /** What runs, with its durability settings, for the results. */
    abstract String describe();

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
    static void killTree(long pid) {
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
        if (user != null && "root".equals(System.getProperty("user.name"))) full.addAll(List.of("runuser", "-u", user, "--"));
        full.addAll(command);
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("command failed: " + String.join(" ", full) + "\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot run " + full.getFirst(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Gives the directory to a service user (PostgreSQL, MariaDB) when running as root. */
    void chown(String user) {
        if ("root".equals(System.getProperty("user.name"))) run(List.of("chown", "-R", user + ":" + user, dir.toString()), null);
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
