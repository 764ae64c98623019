package dev.conveyor.jdbc.mariadb;

import com.zaxxer.hikari.HikariConfig;
import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.BrokerException;
import dev.conveyor.broker.BrokerProvider;
import dev.conveyor.internal.Durations;
import dev.conveyor.jdbc.PooledConnections;
import dev.conveyor.jdbc.SchemaMigrator;
import dev.conveyor.jdbc.ServerUrl;
import dev.conveyor.jdbc.SqlBroker;
import java.sql.DatabaseMetaData;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens {@code mariadb://user:password@host:3306/database} brokers (also {@code mysql://}), with MariaDB
 * Connector/J and HikariCP. The database must exist. Options:
 * <ul>
 *   <li>{@code prefix=conveyor_} — table name prefix;</li>
 *   <li>{@code migrate=check|auto} — by default the schema version is only checked (run
 *       {@code conveyor migrate} to apply migrations, as a DBA would review them); {@code auto} applies them;</li>
 *   <li>{@code pool=10} — connections in the pool;</li>
 *   <li>{@code poll=200ms} — the longest an idle worker waits before looking for jobs enqueued by other
 *       processes (jobs enqueued in this JVM wake it at once). Polling is adaptive: right after a fetch found
 *       jobs, idle workers poll every 10 ms, backing off to this cap as the queues stay empty;</li>
 *   <li>{@code socketTimeout=10s} — longest wait for the server's answer before the connection is given up
 *       (a half-open connection otherwise blocks its caller forever); keep it under a third of the lease;</li>
 *   <li>{@code sslMode=verify-full&serverSslCert=/path/ca.crt} — TLS, as MariaDB Connector/J takes it:
 *       {@code sslMode} {@code disable} (the default), {@code trust} (TLS, certificate not checked),
 *       {@code verify-ca} or {@code verify-full} (checked against {@code serverSslCert}, a path or PEM text, or
 *       the JVM's trust store; verify-full also checks the host name).</li>
 * </ul>
 * Needs MariaDB 10.6+ or MySQL 8.0+ ({@code SKIP LOCKED}); the server is checked on open.
 */
public final class MariaDbBrokerProvider implements BrokerProvider {
    public static final Duration DEFAULT_POLL = Duration.ofMillis(200);
    /** The tightest adaptive poll, right after jobs were found. */
    public static final Duration MIN_POLL = Duration.ofMillis(10);
    private static final Set<String> OPTIONS = Set.of("prefix", "migrate", "pool", "poll", "socketTimeout",
            "sslMode", "serverSslCert");
    /** TLS options passed to MariaDB Connector/J as they are (its names and values). */
    private static final java.util.List<String> TLS_OPTIONS = java.util.List.of("sslMode", "serverSslCert");
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");

    @Override
    public Set<String> schemes() {
        return Set.of("mariadb", "mysql");
    }

    @Override
    public Broker open(String url, BrokerContext context) {
        ServerUrl u = ServerUrl.parse(url, 3306, OPTIONS);
        String migrate = u.option("migrate", "check");
        if (!migrate.equals("auto") && !migrate.equals("check")) {
            throw new IllegalArgumentException("option migrate must be auto or check, was '" + migrate + "'");
        }
        int poolSize = parsePool(u.option("pool", "10"));
        Duration poll = u.options().containsKey("poll") ? Durations.parse(u.option("poll", null)) : DEFAULT_POLL;
        if (poll.isNegative() || poll.isZero()) throw new IllegalArgumentException("option poll must be positive, was " + poll);
        AdaptivePoll adaptive = new AdaptivePoll(MIN_POLL, poll);
        MariaDbDialect dialect = new MariaDbDialect(u.database(), u.option("prefix", "conveyor_"), adaptive::found);

        Properties props = new Properties();
        if (u.user() != null) props.setProperty("user", u.user());
        if (u.password() != null) props.setProperty("password", u.password());
        props.setProperty("connectTimeout", "5000");
        props.setProperty("socketTimeout", Long.toString(u.socketTimeout().toMillis()));
        for (String o : TLS_OPTIONS) if (u.options().containsKey(o)) props.setProperty(o, u.options().get(o));
        // Batches must answer a count per row (an ignored duplicate is 0, a stale lease 0); bulk mode would not.
        props.setProperty("useBulkStmts", "false");
        props.setProperty("useBulkStmtsForInserts", "false");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:mariadb://" + u.host() + ":" + u.port() + "/" + u.database());
        config.setDataSourceProperties(props);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("conveyor-mariadb");
        config.setConnectionTimeout(5_000);
        // A pooled connection that went silent is found by the check on borrow: no slower than socketTimeout.
        config.setValidationTimeout(Math.min(5_000, u.socketTimeout().toMillis()));
        // No gap locks: a claim's locking read never blocks an enqueue's insert.
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        // A session idle inside a transaction this long is dead (Conveyor never pauses mid-transaction): MariaDB
        // ends it and frees its row locks, which a half-open connection would otherwise hold for wait_timeout
        // (8 hours by default). MariaDB 10.3+ only: the executable comment is skipped by MySQL, which has no such
        // setting (there, the reclaim skipping locked rows is what keeps workers going).
        long idleInTransactionS = Math.max(5, 2 * u.socketTimeout().toSeconds());
        config.setConnectionInitSql("SET /*M!100300 SESSION idle_transaction_timeout = " + idleInTransactionS
                + ", */ @conveyor_session = 1");
        PooledConnections db = new PooledConnections(config, u.redacted(), dialect::isTransient);
        try {
            requireSkipLocked(db, u.redacted());
            SchemaMigrator migrator = new SchemaMigrator(dialect, db, context.clock());
            if (migrate.equals("auto")) migrator.migrate(); else migrator.requireCurrent();
            SqlBroker broker = new SqlBroker(dialect, db, context.clock(), poll);
            adaptive.start(broker::signalWork, "conveyor-mariadb-poll");
            broker.onClose(adaptive);
            return broker;
        } catch (RuntimeException e) {
            adaptive.close();
            db.close();
            throw e;
        }
    }

    private static int parsePool(String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("option pool must be a whole number >= 1, was '" + value + "'");
    }

    /** Fails clearly on servers without SKIP LOCKED, instead of with a syntax error at the first fetch. */
    private static void requireSkipLocked(PooledConnections db, String describe) {
        String[] server = db.read(c -> {
            DatabaseMetaData md = c.getMetaData();
            return new String[] {md.getDatabaseProductName(), md.getDatabaseProductVersion()};
        });
        Matcher m = VERSION.matcher(server[1]);
        if (!m.find()) return; // an unusual version string: let the server speak for itself
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        boolean mariadb = server[0].toLowerCase(java.util.Locale.ROOT).contains("mariadb")
                || server[1].toLowerCase(java.util.Locale.ROOT).contains("mariadb");
        boolean ok = mariadb ? major > 10 || (major == 10 && minor >= 6) : major >= 8;
        if (!ok) {
            throw new BrokerException(describe + " runs " + (mariadb ? "MariaDB " : "MySQL ") + server[1]
                    + "; Conveyor needs MariaDB 10.6+ or MySQL 8.0+ (for SELECT … FOR UPDATE SKIP LOCKED)");
        }
    }
}
