package dev.conveyor.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Finds and opens a broker by URL through the {@link BrokerProvider}s on the classpath. */
public final class Brokers {
    private Brokers() {}

    public static Broker open(String url, BrokerContext context) {
        String scheme = scheme(url);
        List<BrokerProvider> providers = new ArrayList<>();
        ServiceLoader.load(BrokerProvider.class).forEach(providers::add);
        TreeSet<String> known = new TreeSet<>();
        for (BrokerProvider p : providers) {
            if (p.schemes().contains(scheme)) return p.open(url, context);
            known.addAll(p.schemes());
        }
        throw new IllegalArgumentException("no broker for '" + scheme + ":' URLs (" + redact(url)
                + "); available: " + String.join(", ", known)
                + ". Add the module that provides it (e.g. conveyor-jdbc, conveyor-redis) to the classpath.");
    }

    /** The scheme of a broker URL, lower case. */
    public static String scheme(String url) {
        if (url == null || url.isBlank()) throw new IllegalArgumentException("broker URL is empty; e.g. memory:, sqlite:./conveyor-data/conveyor.db");
        int colon = url.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("broker URL '" + redact(url)
                    + "' has no scheme; expected e.g. memory:, sqlite:./conveyor-data/conveyor.db, redis://localhost:6379");
        }
        return url.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    /** The URL with any password replaced by {@code ***}, safe for logs and error messages. */
    public static String redact(String url) {
        if (url == null) return "null";
        String out = url;
        int scheme = out.indexOf("://");
        if (scheme >= 0) {
            // The user info ends at the last '@' before the query: a password may hold '@', '/' or ':' unescaped
            // (the old pattern stopped at the first '@' or '/' and printed the rest of such a password).
            int query = out.indexOf('?', scheme + 3);
            int at = out.lastIndexOf('@', query < 0 ? out.length() : query);
            int colon = out.indexOf(':', scheme + 3);
            if (at > scheme && colon > scheme && colon < at) out = out.substring(0, colon + 1) + "***" + out.substring(at);
        }
        return out.replaceAll("(?i)((?:password|pass|pwd|secret|token)=)[^&]*", "$1***");
    }
}
