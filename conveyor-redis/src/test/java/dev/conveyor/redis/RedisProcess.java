package dev.conveyor.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A redis-server of the test's own: a child process ({@code --daemonize no}) on a loopback port, with its files
 * in a directory of its own, stopped by its process id — never the shared server. A JVM shutdown hook kills
 * whatever a failed test left running.
 */
final class RedisProcess implements AutoCloseable {
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly)));
    }

    private final Path dir;
    private final int port;
    private final List<String> options;
    private Process process;

    RedisProcess(Path dir, int port, List<String> options) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.port = port;
        this.options = List.copyOf(options);
    }

    int port() {
        return port;
    }

    Path dir() {
        return dir;
    }

    /**
     * Starts the server and waits until it answers PING on its plain port (a server that also needs a password
     * answers NOAUTH, which counts as up).
     */
    void start() throws Exception {
        List<String> command = new ArrayList<>(List.of(binary("redis-server"), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--dir", dir.toString(), "--daemonize", "no", "--save", "",
                "--logfile", dir.resolve("redis.log").toString()));
        command.addAll(options);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        RUNNING.add(process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server on port " + port + " exited at start:\n" + log());
            }
            if (isUp()) return;
            if (System.nanoTime() > deadline) throw new IllegalStateException("redis-server on port " + port + " did not start:\n" + log());
            Thread.sleep(20);
        }
    }

    /** SIGKILL: no shutdown, no final write — a crash. */
    void kill() throws InterruptedException {
        if (process == null) return;
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        RUNNING.remove(process);
        process = null;
    }

    private boolean isUp() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("PING\r\n".getBytes());
            byte[] buf = new byte[7];
            String reply = s.getInputStream().read(buf) > 0 ? new String(buf) : "";
            return reply.startsWith("+PONG") || reply.startsWith("-NOAUTH");
        } catch (IOException e) {
            return false;
        }
    }

    String log() {
        try {
            Path log = dir.resolve("redis.log");
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        kill();
    }

    /** A port whose cluster bus port (port + 10000) is free too. */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 50_000);
            if (free(port) && free(port + 10_000)) return port;
        }
        throw new IOException("no free loopback port pair found");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The Redis binaries are Debian's; a missing one fails the test with how to install it. */
    static String binary(String name) {
        for (String dir : List.of("/usr/bin", "/usr/local/bin")) {
            if (Files.isExecutable(Path.of(dir, name))) return Path.of(dir, name).toString();
        }
        throw new AssertionError(name + " not found in /usr/bin or /usr/local/bin; install it with: "
                + "apt-get install -y redis-server (scripts/test does this)");
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("command failed: " + String.join(" ", command) + "\n" + out);
        }
        return out;
    }
}
