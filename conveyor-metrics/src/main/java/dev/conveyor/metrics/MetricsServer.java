package dev.conveyor.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A Prometheus scrape endpoint on the JDK's HTTP server: {@code GET /metrics} answers the registry in the
 * Prometheus text format; any other path is 404, any other method 405. Binds to 127.0.0.1 unless told
 * otherwise, since metrics name tasks and queues.
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * try (MetricsServer server = MetricsServer.start(registry, MetricsServer.DEFAULT_HOST, 9400)) {
 *     System.out.println("metrics at " + server.uri());   // http://127.0.0.1:9400/metrics
 *     ...
 * }
 * }</pre>
 */
public final class MetricsServer implements AutoCloseable {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final String PATH = "/metrics";
    private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService threads;

    private MetricsServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Starts serving on {@code host:port}; port 0 picks a free one (see {@link #port()}). */
    public static MetricsServer start(PrometheusMeterRegistry registry, String host, int port) throws IOException {
        Objects.requireNonNull(registry, "registry");
        if (port < 0 || port > 65_535) throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
        HttpServer server = HttpServer.create(new InetSocketAddress(Objects.requireNonNull(host, "host"), port), 0);
        server.createContext("/", exchange -> answer(exchange, registry));
        ExecutorService threads = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("conveyor-metrics-http-", 0).factory());
        server.setExecutor(threads);
        server.start();
        return new MetricsServer(server, threads);
    }

    private static void answer(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
        try (exchange) {
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                send(exchange, 404, "not found: only " + PATH + " is served\n");
            } else if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "method not allowed\n");
            } else {
                exchange.getResponseHeaders().set("Content-Type", TEXT_FORMAT);
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                if ("HEAD".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(200, -1);
                } else {
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** The port it listens on (the one picked, for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The scrape URL, e.g. {@code http://127.0.0.1:9400/metrics}. */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + a.getPort() + PATH);
    }

    /** Stops serving at once (a scrape in progress is cut off). */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
