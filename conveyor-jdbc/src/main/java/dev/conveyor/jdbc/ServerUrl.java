package dev.conveyor.jdbc;

import dev.conveyor.broker.Brokers;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A database server URL as Conveyor users write it: {@code postgresql://user:password@host:5432/db?schema=jobs},
 * {@code mariadb://root@127.0.0.1:3306/test}. User, password and port are optional; options after {@code ?}
 * are checked against the ones the broker knows.
 */
public record ServerUrl(String scheme, String user, String password, String host, int port, String database,
                        Map<String, String> options, String redacted) {
    private static final Pattern FORM = Pattern.compile(
            "([a-z]+)://(?:([^:@/]*)(?::([^@/]*))?@)?([^:/?]+|\\[[^]]+])(?::(\\d+))?/([^?]+)(?:\\?(.*))?");

    public static ServerUrl parse(String url, int defaultPort, Set<String> knownOptions) {
        Matcher m = FORM.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("malformed broker URL '" + Brokers.redact(url)
                    + "'; expected scheme://[user[:password]@]host[:port]/database[?option=value&...]");
        }
        Map<String, String> options = new LinkedHashMap<>();
        if (m.group(7) != null && !m.group(7).isEmpty()) {
            for (String pair : m.group(7).split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("malformed option '" + pair + "' in " + Brokers.redact(url)
                            + "; expected name=value");
                }
                String key = decode(pair.substring(0, eq));
                if (!knownOptions.contains(key)) {
                    throw new IllegalArgumentException("unknown option '" + key + "' in " + Brokers.redact(url)
                            + "; known: " + String.join(", ", new java.util.TreeSet<>(knownOptions)));
                }
                options.put(key, decode(pair.substring(eq + 1)));
            }
        }
        int port = m.group(5) == null ? defaultPort : Integer.parseInt(m.group(5));
        return new ServerUrl(m.group(1), decode(m.group(2)), decode(m.group(3)), m.group(4), port, decode(m.group(6)),
                options, Brokers.redact(url));
    }

    public String option(String name, String defaultValue) {
        return options.getOrDefault(name, defaultValue);
    }

    /**
     * Default of {@link #socketTimeout}: longer than any statement Conveyor runs but migrations (which wait
     * without one), and the default heartbeat interval, so a stalled heartbeat fails over to a new connection
     * well within the default 30 s lease.
     */
    public static final java.time.Duration DEFAULT_SOCKET_TIMEOUT = java.time.Duration.ofSeconds(10);

    /**
     * Option {@code socketTimeout} (e.g. {@code 5s}; default 10 s; keep it under a third of the workers' lease):
     * how long one read from the server may block.
     * Without it a connection that stops answering without closing (a half-open connection: a dropped NAT entry,
     * a frozen server) blocks its caller forever, so the worker would never fetch or heartbeat again (found by
     * the net-faults chaos scenario). After it the driver fails the statement and the pool replaces the connection.
     */
    public java.time.Duration socketTimeout() {
        String v = option("socketTimeout", null);
        java.time.Duration d = v == null ? DEFAULT_SOCKET_TIMEOUT : dev.conveyor.internal.Durations.parse(v);
        if (d.toMillis() < 1_000) throw new IllegalArgumentException("option socketTimeout must be at least 1s, was " + d);
        return d;
    }

    private static String decode(String s) {
        return s == null ? null : URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
