package dev.conveyor.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on a free loopback port between workers and a broker server, with faults on demand:
 * {@link #latency} delays every chunk each way; {@link #cut} closes every connection and refuses new ones until
 * {@link #heal}; {@link #halfOpen} stops forwarding without closing anything — the connections of that moment
 * stay silent forever, as if the peer vanished (a dropped NAT entry, a pulled cable), and new ones are accepted
 * and never answered until {@link #heal}. Clients must notice by their own timeouts.
 */
final class FaultProxy implements AutoCloseable {
    enum Mode { PASS, CUT, HALF_OPEN }

    private final String host;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;
    private volatile int latencyMs;
    private volatile boolean closed;

    FaultProxy(String host, int targetPort) {
        this.host = host;
        this.targetPort = targetPort;
        try {
            server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Thread.ofPlatform().daemon().name("fault-proxy-accept").start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    /** A broker URL with the first {@code host:port} replaced by this proxy's address. */
    String through(String url, String hostPort) {
        if (!url.contains(hostPort)) throw new IllegalArgumentException(url + " does not contain " + hostPort);
        return url.replaceFirst(java.util.regex.Pattern.quote(hostPort), "127.0.0.1:" + port());
    }

    void latency(int ms) {
        latencyMs = ms;
    }

    /** Every connection closed at once; new ones closed as soon as accepted. */
    void cut() {
        mode = Mode.CUT;
        for (Link l : links) l.close();
    }

    /** Nothing forwarded any more, nothing closed: today's connections are dead for good. */
    void halfOpen() {
        mode = Mode.HALF_OPEN;
        for (Link l : links) l.frozen = true;
    }

    /** New connections work again (connections frozen by {@link #halfOpen} stay dead). */
    void heal() {
        mode = Mode.PASS;
    }

    /** Connections open now (frozen ones included). */
    int connections() {
        links.removeIf(l -> l.closed);
        return links.size();
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Link link = new Link(client);
            if (mode == Mode.CUT) {
                link.close();
                continue;
            }
            links.add(link);
            if (mode == Mode.HALF_OPEN) {
                link.frozen = true; // accepted, never answered
                continue;
            }
            try {
                link.upstream = new Socket(host, targetPort);
            } catch (IOException e) {
                link.close();
                continue;
            }
            Thread.ofVirtual().start(() -> pump(link, link.client, link.upstream));
            Thread.ofVirtual().start(() -> pump(link, link.upstream, link.client));
        }
    }

    private void pump(Link link, Socket from, Socket to) {
        byte[] buf = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (!link.closed) {
                if (link.frozen) {
                    hold(link);
                    return;
                }
                int n = in.read(buf);
                if (n < 0) break;
                int delay = latencyMs;
                if (delay > 0) Thread.sleep(delay);
                if (link.frozen) {
                    hold(link); // what was in flight is lost with the connection
                    return;
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // a side closed or the proxy is closing
        }
        link.close();
    }

    /** A frozen link: read nothing, write nothing, close nothing, until the proxy closes. */
    private void hold(Link link) {
        while (!link.closed && !closed) Chaos.sleep(200);
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Link l : links) l.close();
    }

    private static final class Link {
        final Socket client;
        volatile Socket upstream;
        volatile boolean frozen;
        volatile boolean closed;

        Link(Socket client) {
            this.client = client;
        }

        void close() {
            closed = true;
            closeQuietly(client);
            closeQuietly(upstream);
        }

        private static void closeQuietly(Socket s) {
            if (s == null) return;
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
