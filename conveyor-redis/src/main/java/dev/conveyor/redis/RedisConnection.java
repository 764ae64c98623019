package dev.conveyor.redis;

import dev.conveyor.broker.BrokerException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The broker's line to Redis: one multiplexed Lettuce connection (standalone or cluster — the same command
 * interface), script calls by SHA with a reload on {@code NOSCRIPT}, and the translation of client errors into
 * {@link BrokerException}s that name the server and what to check. Commands fail fast while disconnected
 * (Lettuce reconnects in the background), so callers see an outage as an exception, not as a hang.
 */
final class RedisConnection implements AutoCloseable {
    /**
     * Event loops shared by every broker in this JVM (daemon threads): opening a broker stays cheap. Reconnect
     * attempts back off from 50 ms to at most 1 s (Lettuce's default grows to 30 s), so workers resume within
     * about a second of a restarted server.
     */
    private static final ClientResources RESOURCES = DefaultClientResources.builder().ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(() -> Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
            .build();

    private final RedisUrl url;
    private final AbstractRedisClient client;
    private volatile StatefulConnection<String, String> connection;
    private volatile RedisClusterAsyncCommands<String, String> commands;
    private final java.util.concurrent.atomic.AtomicBoolean probing = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<StatefulRedisPubSubConnection<String, String>> pubSub = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Scripts sent a second time (EVAL after NOSCRIPT), which then run after commands sent in between. */
    private final java.util.concurrent.atomic.AtomicLong resends = new java.util.concurrent.atomic.AtomicLong();

    private RedisConnection(RedisUrl url, AbstractRedisClient client, StatefulConnection<String, String> connection,
                            RedisClusterAsyncCommands<String, String> commands) {
        this.url = url;
        this.client = client;
        this.connection = connection;
        this.commands = commands;
    }

    static RedisConnection open(RedisUrl url) {
        List<RedisURI> uris = new ArrayList<>();
        for (RedisUrl.HostPort node : url.nodes()) {
            RedisURI.Builder b = RedisURI.Builder.redis(node.host(), node.port()).withSsl(url.tls())
                    .withVerifyPeer(url.verifyPeer()).withTimeout(url.timeout()).withClientName("conveyor");
            if (!url.cluster()) b.withDatabase(url.database());
            if (url.password() != null) {
                if (url.user() != null) b.withAuthentication(url.user(), url.password());
                else b.withPassword(url.password().toCharArray());
            }
            uris.add(b.build());
        }
        SocketOptions socket = SocketOptions.builder().connectTimeout(Duration.ofSeconds(5)).keepAlive(true).build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(url.timeout());
        AbstractRedisClient client = null;
        try {
            if (url.cluster()) {
                RedisClusterClient c = RedisClusterClient.create(RESOURCES, uris);
                c.setOptions(ClusterClientOptions.builder().socketOptions(socket).timeoutOptions(timeouts)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                                .enableAllAdaptiveRefreshTriggers().enablePeriodicRefresh(Duration.ofSeconds(30)).build())
                        .build());
                client = c;
                var connection = c.connect(Utf8Codec.INSTANCE);
                return new RedisConnection(url, c, connection, connection.async());
            }
            RedisClient c = RedisClient.create(RESOURCES, uris.get(0));
            c.setOptions(ClientOptions.builder().socketOptions(socket).timeoutOptions(timeouts)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
            client = c;
            var connection = c.connect(Utf8Codec.INSTANCE);
            return new RedisConnection(url, c, connection, connection.async());
        } catch (RuntimeException e) {
            if (client != null) client.shutdownAsync(0, 1, TimeUnit.SECONDS);
            String failure = rootMessage(e);
            throw new BrokerException("cannot connect to Redis at " + url.where() + " (" + url.redacted() + "): "
                    + failure + ". " + hint(url, failure + " " + plainPingReply(url)), e);
        }
    }

    /**
     * For a failure that does not say why (Lettuce sometimes loses the server's NOAUTH to a race in its handshake,
     * "RedisHandshakeHandler not registered"), what a plain {@code PING} over one short-lived socket gets back:
     * {@code -NOAUTH …} names the cause. Empty for TLS and cluster URLs, or when nothing answers within a second.
     */
    static String plainPingReply(RedisUrl url) {
        if (url.tls() || url.cluster() || url.nodes().size() != 1) return "";
        RedisUrl.HostPort node = url.nodes().getFirst();
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(node.host(), node.port()), 1_000);
            s.setSoTimeout(1_000);
            s.getOutputStream().write("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] reply = new byte[64];
            int n = s.getInputStream().read(reply);
            return n <= 0 ? "" : new String(reply, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }

    /** What to check, from the most telling words of the failure. */
    static String hint(RedisUrl url, String failure) {
        if (failure.contains("WRONGPASS")) return "The user or password in the URL is wrong.";
        if (failure.contains("NOAUTH")) return "The server requires a password: write it in the URL, redis://:password@host.";
        if (failure.contains("certification path") || failure.contains("SSLHandshake")) {
            return "The server's TLS certificate is not trusted by this JVM: add its CA to the trust store "
                    + "(javax.net.ssl.trustStore), or use verifyPeer=false in tests only.";
        }
        return "Check that redis-server is running and listening there" + (url.tls() ? " with TLS enabled" : "")
                + (url.cluster() ? ", and that the nodes form a cluster (cluster_state:ok)" : "")
                + "; a server that expects TLS resets plain connections (use rediss://).";
    }

    RedisUrl url() {
        return url;
    }

    boolean cluster() {
        return url.cluster();
    }

    /**
     * One command interface per server whose settings matter: the server itself, or every master of a cluster
     * (as host:port → commands).
     */
    java.util.Map<String, RedisClusterAsyncCommands<String, String>> servers() {
        if (!(connection instanceof io.lettuce.core.cluster.api.StatefulRedisClusterConnection<String, String> c)) {
            return java.util.Map.of(url.where(), commands);
        }
        java.util.Map<String, RedisClusterAsyncCommands<String, String>> out = new java.util.TreeMap<>();
        for (var node : c.getPartitions()) {
            if (node.is(io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag.UPSTREAM)) {
                out.put(node.getUri().getHost() + ":" + node.getUri().getPort(), c.getConnection(node.getNodeId()).async());
            }
        }
        return out;
    }

    /** The command interface shared by standalone and cluster connections. Thread-safe. */
    RedisClusterAsyncCommands<String, String> commands() {
        return commands;
    }

    /** A new connection for pub/sub (the wake-up subscriber); closed with this connection. */
    StatefulRedisPubSubConnection<String, String> openPubSub() {
        try {
            StatefulRedisPubSubConnection<String, String> c = client instanceof RedisClusterClient cluster
                    ? cluster.connectPubSub(Utf8Codec.INSTANCE) : ((RedisClient) client).connectPubSub(Utf8Codec.INSTANCE);
            pubSub.add(c);
            return c;
        } catch (RuntimeException e) {
            throw failure(e, "opening the wake-up subscription");
        }
    }

    /** Runs a script by SHA; a server that lost it ({@code NOSCRIPT}) gets the source again with {@code EVAL}. */
    CompletableFuture<Object> run(LuaScript script, String[] keys, String... args) {
        return commands.<Object>evalsha(script.sha(), ScriptOutputType.MULTI, keys, args).toCompletableFuture()
                .handle((value, error) -> {
                    if (error == null) return CompletableFuture.completedFuture(value);
                    if (isNoScript(error)) {
                        resends.incrementAndGet();
                        return commands.<Object>eval(script.source(), ScriptOutputType.MULTI, keys, args)
                                .toCompletableFuture();
                    }
                    return CompletableFuture.failedFuture(error);
                }).thenCompose(f -> f);
    }

    /** How many scripts were sent a second time so far (a server that lost them: restarted, SCRIPT FLUSH). */
    long resends() {
        return resends.get();
    }

    /** Loads every script once (they are then run by SHA). In a cluster, Lettuce loads them on every master. */
    void loadScripts() {
        List<CompletableFuture<String>> loads = new ArrayList<>();
        for (LuaScript s : LuaScript.ALL) loads.add(commands.scriptLoad(s.source()).toCompletableFuture());
        for (CompletableFuture<String> f : loads) await(f, "loading the Lua scripts");
    }

    /** Waits for a reply; client errors become {@link BrokerException}s naming the server. */
    <T> T await(CompletableFuture<T> future, String what) {
        try {
            // Lettuce's command timeout completes the future; the extra margin only guards against a lost reply.
            return future.get(url.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerException("interrupted while " + what + " on Redis at " + url.where(), e);
        } catch (ExecutionException e) {
            throw failure(e.getCause(), what);
        } catch (TimeoutException e) {
            replaceIfDead();
            throw new BrokerException("Redis at " + url.where() + " did not answer within " + url.timeout()
                    + " while " + what + "; check the server's load and the network", e);
        }
    }

    BrokerException failure(Throwable error, String what) {
        Throwable e = unwrap(error);
        if (e instanceof BrokerException b) return b;
        if (e instanceof RedisCommandTimeoutException) {
            replaceIfDead();
            return new BrokerException("Redis at " + url.where() + " did not answer within " + url.timeout()
                    + " while " + what + "; check the server's load and the network", e);
        }
        if (e instanceof RedisCommandExecutionException) {
            return new BrokerException("Redis at " + url.where() + " refused " + what + ": " + e.getMessage(), e);
        }
        return new BrokerException("Redis at " + url.where() + " (" + url.redacted() + ") is not reachable while "
                + what + ": " + rootMessage(e) + ". Check that the server is running; the client reconnects by itself", e);
    }

    /**
     * After a command timed out: if the connection does not answer a PING within the timeout either, opens a new
     * one and closes the old. Lettuce reconnects only when the socket closes, so a connection that goes silent
     * without closing (half-open: a dropped NAT entry, a frozen proxy or server) would time every command out
     * forever (found by the net-faults chaos scenario). One probe at a time; a failed reconnect keeps the old
     * connection, and the next timeout tries again.
     */
    private void replaceIfDead() {
        if (!probing.compareAndSet(false, true)) return;
        Thread.ofVirtual().name("conveyor-redis-probe").start(() -> {
            StatefulConnection<String, String> old = connection;
            try {
                commands.ping().toCompletableFuture().get(url.timeout().toMillis(), TimeUnit.MILLISECONDS);
                probing.set(false);
                return; // it answers: the timeout was load, not a dead line
            } catch (InterruptedException e) {
                probing.set(false);
                return;
            } catch (ExecutionException | TimeoutException e) {
                // no answer: replace it below
            }
            try {
                if (client instanceof RedisClusterClient c) {
                    var fresh = c.connect(Utf8Codec.INSTANCE);
                    commands = fresh.async();
                    connection = fresh;
                } else {
                    var fresh = ((RedisClient) client).connect(Utf8Codec.INSTANCE);
                    commands = fresh.async();
                    connection = fresh;
                }
                org.slf4j.LoggerFactory.getLogger(RedisConnection.class).warn("Redis at {} stopped answering on an open "
                        + "connection; replaced it with a new one", url.where());
                old.closeAsync();
            } catch (RuntimeException e) {
                // still unreachable: the next timeout probes again
            } finally {
                probing.set(false);
            }
        });
    }

    /** True when the failure is the server's error reply (for example WRONGTYPE), not a connection problem. */
    static boolean isServerError(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof BrokerException && e.getCause() != null) e = e.getCause();
        return e instanceof RedisCommandExecutionException && !(e instanceof RedisNoScriptException);
    }

    private static boolean isNoScript(Throwable error) {
        Throwable e = unwrap(error);
        return e instanceof RedisNoScriptException || (e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT"));
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage();
        return root == e ? String.valueOf(m) : e.getMessage() + " (" + root.getClass().getSimpleName() + ": " + m + ")";
    }

    /** Closes every connection of this client (commands and pub/sub); the shared event loops stay. */
    @Override
    public void close() {
        try {
            // Connections first (which also stops their reconnect attempts), then the client: a cluster
            // connection closes its node connections itself.
            for (StatefulRedisPubSubConnection<String, String> c : pubSub) c.close();
            connection.close();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
