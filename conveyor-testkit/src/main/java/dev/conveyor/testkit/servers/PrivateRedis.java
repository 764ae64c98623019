package dev.conveyor.testkit.servers;

import java.io.IOException;
import java.net.Socket;
import java.util.List;

/** A redis-server of the scenario's own with the append-only file fsynced on every write ({@code appendfsync always}). */
public final class PrivateRedis extends PrivateServer {

    public PrivateRedis() {
        super("redis");
    }

    @Override
    public String url(String options) {
        return "redis://127.0.0.1:" + port + "/0?prefix=chaos&timeout=2s" + (options.isEmpty() ? "" : "&" + options);
    }

    @Override
    public void start() {
        List<String> command = List.of(binary("redis-server", "redis-server", "/usr/bin", "/usr/local/bin"),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(), "--daemonize", "no",
                "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                "--logfile", dir.resolve("redis.log").toString());
        process = launch(command, this::pong, dir.resolve("redis.log"));
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
    public String describe() {
        return "private redis-server on 127.0.0.1:" + port + ", appendonly yes, appendfsync always";
    }
}
