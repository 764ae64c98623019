package dev.conveyor.testkit.servers;

import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A redis-server of the scenario's own with the append-only file fsynced on every write ({@code appendfsync always}). */
public final class PrivateRedis extends PrivateServer {
    private Process process;

    public PrivateRedis() {
        super("redis");
    }

    @Override
    public String url() {
        return "redis://127.0.0.1:" + port + "/0?prefix=chaos&timeout=2s";
    }

    @Override
    public void start() {
        List<String> command = List.of(binary("redis-server", "redis-server", "/usr/bin", "/usr/local/bin"),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(), "--daemonize", "no",
                "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                "--logfile", dir.resolve("redis.log").toString());
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) throw new IllegalStateException("redis-server on port " + port + " exited at start; see " + dir);
                if (pong()) return;
                Thread.sleep(20);
            }
            throw new IllegalStateException("redis-server on port " + port + " did not answer within 60 s; see " + dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** PING answers PONG only once the append-only file is loaded (LOADING before). */
    private boolean pong() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("PING\r\n".getBytes());
            byte[] buf = new byte[7];
            return s.getInputStream().read(buf) > 0 && new String(buf).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void kill() {
        if (process == null) return;
        killTree(process.pid());
        process = null;
    }

    @Override
    public String describe() {
        return "private redis-server on 127.0.0.1:" + port + ", appendonly yes, appendfsync always";
    }
}
