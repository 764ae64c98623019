package dev.conveyor.jdbc.sqlite;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.BrokerProvider;
import dev.conveyor.internal.Durations;
import dev.conveyor.jdbc.SchemaMigrator;
import dev.conveyor.jdbc.SqlBroker;
import dev.conveyor.jdbc.SqlSchemaProvider;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Opens {@code sqlite:} brokers: {@code sqlite:./conveyor-data/conveyor.db} (relative to the working
 * directory), {@code sqlite:/var/lib/app/jobs.db}, with options after {@code ?}:
 * <ul>
 *   <li>{@code synchronous=FULL|NORMAL} — FULL (the default) fsyncs every commit, so an acknowledged enqueue
 *       survives power loss; NORMAL survives a crash of the process but not of the machine;</li>
 *   <li>{@code poll=100ms} — how often an idle worker looks for jobs enqueued by other processes (jobs
 *       enqueued in the same JVM wake it at once); defaults to 100 ms;</li>
 *   <li>{@code prefix=conveyor_} — table name prefix;</li>
 *   <li>{@code migrate=auto|check} — apply missing schema migrations on open (the default for the embedded
 *       store), or only check that the schema is current.</li>
 * </ul>
 */
public final class SqliteBrokerProvider implements BrokerProvider, SqlSchemaProvider {
    public static final Duration DEFAULT_POLL = Duration.ofMillis(100);

    @Override
    public Set<String> schemes() {
        return Set.of("sqlite");
    }

    @Override
    public SchemaSession openSchema(String url, java.time.Clock clock) {
        Parsed p = parse(url);
        SqliteConnections db = new SqliteConnections(Path.of(p.path), p.synchronous, "sqlite:" + p.path);
        SqliteDialect dialect = new SqliteDialect(p.prefix);
        return new SchemaSession(dialect, new SchemaMigrator(dialect, db, clock), db);
    }

    private record Parsed(String path, String synchronous, Duration poll, String prefix, String migrate) {}

    @Override
    public Broker open(String url, BrokerContext context) {
        Parsed p = parse(url);
        SqliteConnections db = new SqliteConnections(Path.of(p.path), p.synchronous, "sqlite:" + p.path);
        try {
            SqliteDialect dialect = new SqliteDialect(p.prefix);
            SchemaMigrator migrator = new SchemaMigrator(dialect, db, context.clock());
            // The embedded store migrates itself by default (migrate=auto); migrate=check only verifies.
            if (p.migrate.equals("auto")) migrator.migrate(); else migrator.requireCurrent();
            return new SqlBroker(dialect, db, context.clock(), p.poll);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    private static Parsed parse(String url) {
        String rest = url.substring(url.indexOf(':') + 1);
        if (rest.startsWith("//")) rest = rest.substring(2); // sqlite:///abs/path and sqlite://./rel both read
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        if (rest.isBlank()) {
            throw new IllegalArgumentException("sqlite URL needs a file path, e.g. sqlite:./conveyor-data/conveyor.db (was '"
                    + url + "')");
        }
        Map<String, String> options = parse(query, url);
        String synchronous = options.getOrDefault("synchronous", "FULL").toUpperCase(Locale.ROOT);
        if (!synchronous.equals("FULL") && !synchronous.equals("NORMAL")) {
            throw new IllegalArgumentException("sqlite option synchronous must be FULL or NORMAL, was '" + synchronous + "'");
        }
        String migrate = options.getOrDefault("migrate", "auto");
        if (!migrate.equals("auto") && !migrate.equals("check")) {
            throw new IllegalArgumentException("sqlite option migrate must be auto or check, was '" + migrate + "'");
        }
        Duration poll = options.containsKey("poll") ? Durations.parse(options.get("poll")) : DEFAULT_POLL;
        String prefix = options.getOrDefault("prefix", "conveyor_");
        return new Parsed(rest, synchronous, poll, prefix, migrate);
    }

    private static Map<String, String> parse(String query, String url) {
        Map<String, String> out = new LinkedHashMap<>();
        if (query.isEmpty()) return out;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("malformed option '" + pair + "' in " + url + "; expected name=value");
            String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
            if (!Set.of("synchronous", "poll", "prefix", "migrate").contains(key)) {
                throw new IllegalArgumentException("unknown sqlite option '" + key + "' in " + url
                        + "; known: synchronous, poll, prefix, migrate");
            }
            out.put(key, URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }
}
