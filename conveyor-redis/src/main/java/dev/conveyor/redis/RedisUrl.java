package dev.conveyor.redis;

import dev.conveyor.broker.Brokers;
import dev.conveyor.internal.Durations;
import dev.conveyor.job.JobCodec;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Redis broker URL as users write it:
 * <pre>
 * redis://[user:password@]host[:port][/db][?option=value&amp;...]          one server (rediss:// for TLS)
 * redis-cluster://[user:password@]host:port[,host:port...][/][?...]      Redis Cluster (rediss-cluster:// for TLS)
 * </pre>
 * A password alone is written {@code :password@}. Options: {@code prefix} (key prefix, default
 * {@value #DEFAULT_PREFIX}), {@code payloadLimit} (largest envelope, e.g. {@code 512KiB}, default and maximum
 * 1 MiB), {@code timeout} (command timeout, default 10s), {@code verifyPeer} (TLS certificate check, default true).
 * Every malformed part is reported by name.
 *
 * <pre>{@code
 * RedisUrl url = RedisUrl.parse("rediss://worker:s3cret@redis.example.com:6380/2?prefix=billing&timeout=2s");
 * url.nodes();     // [redis.example.com:6380]
 * url.redacted();  // rediss://worker:***@redis.example.com:6380/2?prefix=billing&timeout=2s
 * }</pre>
 *
 * @param tls          true for {@code rediss://} and {@code rediss-cluster://}
 * @param cluster      true for the cluster schemes
 * @param user         ACL user, or null for the default user
 * @param password     password, or null for none
 * @param nodes        host and port of each server given (one for standalone; seed nodes for a cluster)
 * @param database     database number (standalone only), 0 by default
 * @param prefix       key prefix: every key is {@code {prefix:queue}:…} or {@code {prefix}:…}
 * @param payloadLimit largest envelope stored, in bytes of UTF-8
 * @param timeout      how long one command may take before it fails
 * @param verifyPeer   whether TLS checks the server's certificate
 * @param redacted     the URL with its password hidden, for messages
 */
public record RedisUrl(boolean tls, boolean cluster, String user, String password, List<HostPort> nodes,
                       int database, String prefix, int payloadLimit, Duration timeout, boolean verifyPeer,
                       String redacted) {
    public static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-cluster", "rediss-cluster");
    public static final String DEFAULT_PREFIX = "conveyor";
    public static final int DEFAULT_PORT = 6379;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final Set<String> OPTIONS = Set.of("prefix", "payloadLimit", "timeout", "verifyPeer");
    /**
     * Key prefixes: no braces (they delimit Redis Cluster hash tags) and no ':' (so the keys of prefix "app"
     * are never matched by the patterns of another, "app:x").
     */
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern FORM = Pattern.compile("([a-z-]+)://(?:([^@/?]*)@)?([^/?]*)(?:/([^?]*))?(?:\\?(.*))?");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9_.-]+)(?::(\\d{1,5}))?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|KB|MB|kB)?");

    /** One server address. */
    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    public static RedisUrl parse(String url) {
        String redacted = Brokers.redact(url);
        Matcher m = FORM.matcher(url == null ? "" : url);
        if (!m.matches()) {
            throw new IllegalArgumentException("malformed Redis URL '" + redacted + "'; expected "
                    + "redis://[user:password@]host[:port][/db][?option=value&...] or "
                    + "redis-cluster://host:port[,host:port...][?option=value&...]");
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException("unknown scheme '" + scheme + ":' in '" + redacted
                    + "'; expected one of " + new TreeSet<>(SCHEMES));
        }
        boolean tls = scheme.startsWith("rediss");
        boolean cluster = scheme.endsWith("-cluster");

        String user = null;
        String password = null;
        if (m.group(2) != null) {
            String userInfo = m.group(2);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("the user part of '" + redacted + "' has no password; write "
                        + "user:password@ (ACL user) or :password@ (default user)");
            }
            user = colon == 0 ? null : decode(userInfo.substring(0, colon));
            password = decode(userInfo.substring(colon + 1));
        }

        List<HostPort> nodes = new ArrayList<>();
        String hosts = m.group(3);
        if (hosts.isEmpty()) throw new IllegalArgumentException("no host in '" + redacted + "'");
        for (String part : hosts.split(",", -1)) {
            Matcher hp = HOST_PORT.matcher(part);
            if (!hp.matches()) {
                throw new IllegalArgumentException("malformed host '" + part + "' in '" + redacted
                        + "'; expected host or host:port");
            }
            int port = hp.group(2) == null ? DEFAULT_PORT : Integer.parseInt(hp.group(2));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " in '" + redacted + "' is not between 1 and 65535");
            }
            String host = hp.group(1).startsWith("[") ? hp.group(1).substring(1, hp.group(1).length() - 1) : hp.group(1);
            nodes.add(new HostPort(host, port));
        }
        if (!cluster && nodes.size() > 1) {
            throw new IllegalArgumentException("several hosts in '" + redacted + "'; for Redis Cluster use "
                    + (tls ? "rediss-cluster://" : "redis-cluster://") + hosts);
        }

        int database = 0;
        String path = m.group(4);
        if (path != null && !path.isEmpty()) {
            if (cluster) {
                throw new IllegalArgumentException("database '/" + path + "' in '" + redacted
                        + "': Redis Cluster has only database 0; remove the path");
            }
            if (!path.matches("\\d{1,5}")) {
                throw new IllegalArgumentException("database '/" + path + "' in '" + redacted
                        + "' is not a number; expected e.g. redis://localhost:6379/0");
            }
            database = Integer.parseInt(path);
        }

        Map<String, String> options = options(m.group(5), redacted);
        String prefix = options.getOrDefault("prefix", DEFAULT_PREFIX);
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("option prefix='" + prefix + "' in '" + redacted
                    + "' must match [A-Za-z0-9_.-]{1,64} (no braces, which delimit Redis Cluster hash tags, and no ':')");
        }
        int payloadLimit = options.containsKey("payloadLimit")
                ? size(options.get("payloadLimit"), redacted) : JobCodec.MAX_ENVELOPE_CHARS;
        Duration timeout;
        try {
            timeout = options.containsKey("timeout") ? Durations.parse(options.get("timeout")) : DEFAULT_TIMEOUT;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option timeout in '" + redacted + "': " + e.getMessage());
        }
        if (timeout.isZero()) throw new IllegalArgumentException("option timeout in '" + redacted + "' must be positive");
        String verify = options.getOrDefault("verifyPeer", "true");
        if (!verify.equals("true") && !verify.equals("false")) {
            throw new IllegalArgumentException("option verifyPeer='" + verify + "' in '" + redacted + "' must be true or false");
        }
        return new RedisUrl(tls, cluster, user, password, List.copyOf(nodes), database, prefix, payloadLimit, timeout,
                Boolean.parseBoolean(verify), redacted);
    }

    /** host:port of every node, for messages. */
    public String where() {
        return String.join(",", nodes.stream().map(HostPort::toString).toList());
    }

    private static Map<String, String> options(String query, String redacted) {
        Map<String, String> options = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) return options;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("malformed option '" + pair + "' in '" + redacted + "'; expected name=value");
            }
            String key = decode(pair.substring(0, eq));
            if (!OPTIONS.contains(key)) {
                throw new IllegalArgumentException("unknown option '" + key + "' in '" + redacted + "'; known: "
                        + String.join(", ", new TreeSet<>(OPTIONS)));
            }
            options.put(key, decode(pair.substring(eq + 1)));
        }
        return options;
    }

    /** Parses {@code 1MiB}, {@code 512KiB}, {@code 65536}, {@code 64KB}; at most the protocol's 1 MiB. */
    static int size(String text, String redacted) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("option payloadLimit='" + text + "' in '" + redacted
                    + "' is not a size; expected e.g. 1MiB, 512KiB or a number of bytes");
        }
        String unit = m.group(2) == null ? "B" : m.group(2);
        long factor = switch (unit) {
            case "KiB" -> 1024;
            case "MiB" -> 1024 * 1024;
            case "KB", "kB" -> 1000;
            case "MB" -> 1000 * 1000;
            default -> 1;
        };
        long bytes;
        try {
            bytes = Math.multiplyExact(Long.parseLong(m.group(1)), factor);
        } catch (ArithmeticException | NumberFormatException e) {
            bytes = Long.MAX_VALUE;
        }
        if (bytes < 1 || bytes > JobCodec.MAX_ENVELOPE_CHARS) {
            throw new IllegalArgumentException("option payloadLimit='" + text + "' in '" + redacted
                    + "' must be between 1 byte and 1MiB (the protocol's envelope limit; larger payloads belong in "
                    + "object storage, referenced by the args)");
        }
        return (int) bytes;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
