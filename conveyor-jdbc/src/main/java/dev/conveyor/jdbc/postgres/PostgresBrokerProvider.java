package dev.conveyor.jdbc.postgres;

import com.zaxxer.hikari.HikariConfig;
import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.BrokerProvider;
import dev.conveyor.internal.Durations;
import dev.conveyor.jdbc.PooledConnections;
import dev.conveyor.jdbc.SchemaMigrator;
import dev.conveyor.jdbc.ServerUrl;
import dev.conveyor.jdbc.SqlBroker;
import dev.conveyor.jdbc.SqlSchemaProvider;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;

/**
 * Opens {@code postgresql://user:password@host:5432/db} brokers (also {@code postgres://}). Options:
 * <ul>
 *   <li>{@code schema=NAME} — the schema holding Conveyor's tables (created if missing); defaults to the
 *       user's search path (usually {@code public});</li>
 *   <li>{@code prefix=conveyor_} — table name prefix;</li>
 *   <li>{@code migrate=check|auto} — by default the schema version is only checked (run
 *       {@code conveyor migrate} to apply migrations, as a DBA would review them); {@code auto} applies them;</li>
 *   <li>{@code pool=10} — connections in the pool;</li>
 *   <li>{@code poll=1s} — how often idle workers poll as a fallback to LISTEN/NOTIFY;</li>
 *   <li>{@code listen=true|false} — LISTEN for enqueues (default true);</li>
 *   <li>{@code socketTimeout=10s} — longest wait for the server's answer before the connection is given up
 *       (a half-open connection otherwise blocks its caller forever); keep it under a third of the lease;</li>
 *   <li>{@code sslmode=verify-full&sslrootcert=/path/ca.crt} — TLS, as pgjdbc takes it: {@code sslmode}
 *       {@code disable}, {@code prefer} (pgjdbc's default: TLS if the server offers it, unverified),
 *       {@code require} (TLS, unverified), {@code verify-ca} or {@code verify-full} (TLS, certificate checked
 *       against {@code sslrootcert}; verify-full also checks the host name); {@code sslcert} and {@code sslkey}
 *       for a client certificate.</li>
 * </ul>
 */
public final class PostgresBrokerProvider implements BrokerProvider, SqlSchemaProvider {
    private static final Set<String> OPTIONS = Set.of("schema", "prefix", "migrate", "pool", "poll", "listen",
            "socketTimeout", "sslmode", "sslrootcert", "sslcert", "sslkey");
    /** TLS options passed to pgjdbc as they are (its names and values). */
    private static final java.util.List<String> TLS_OPTIONS = java.util.List.of("sslmode", "sslrootcert", "sslcert", "sslkey");

    @Override
    public Set<String> schemes() {
        return Set.of("postgresql", "postgres");
    }

    @Override
    public SchemaSession openSchema(String url, java.time.Clock clock) {
        Connected c = connect(url);
        return new SchemaSession(c.dialect, new SchemaMigrator(c.dialect, c.db, clock), c.db);
    }

    private record Connected(ServerUrl url, PostgresDialect dialect, PooledConnections db, String jdbcUrl,
                             Properties props, Duration poll, String migrate) {}

    @Override
    public Broker open(String url, BrokerContext context) {
        Connected c = connect(url);
        try {
            SchemaMigrator migrator = new SchemaMigrator(c.dialect, c.db, context.clock());
            if (c.migrate.equals("auto")) migrator.migrate(); else migrator.requireCurrent();
            SqlBroker broker = new SqlBroker(c.dialect, c.db, context.clock(), c.poll);
            if (Boolean.parseBoolean(c.url.option("listen", "true"))) {
                broker.onClose(new PostgresListener(c.jdbcUrl, c.props, java.util.Map.of(c.dialect.channel(),
                        broker::signalWork, c.dialect.doneChannel(), broker::signalFinished), c.url.redacted()));
                broker.finishedNewsArrivesWithin(java.time.Duration.ofSeconds(1)); // NOTIFY brings the rest
            }
            return broker;
        } catch (RuntimeException e) {
            c.db.close();
            throw e;
        }
    }

    private static Connected connect(String url) {
        ServerUrl u = ServerUrl.parse(url, 5432, OPTIONS);
        String schema = u.options().get("schema");
        PostgresDialect dialect = new PostgresDialect(schema, u.option("prefix", "conveyor_")); // validates both
        String migrate = u.option("migrate", "check");
        if (!migrate.equals("auto") && !migrate.equals("check")) {
            throw new IllegalArgumentException("option migrate must be auto or check, was '" + migrate + "'");
        }
        int poolSize = Integer.parseInt(u.option("pool", "10"));
        Duration poll = Durations.parse(u.option("poll", "1s"));
        String jdbcUrl = "jdbc:postgresql://" + u.host() + ":" + u.port() + "/" + u.database();
        Properties props = new Properties();
        if (u.user() != null) props.setProperty("user", u.user());
        if (u.password() != null) props.setProperty("password", u.password());
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", Long.toString(Math.max(1, u.socketTimeout().toSeconds())));
        props.setProperty("ApplicationName", "conveyor");
        for (String o : TLS_OPTIONS) if (u.options().containsKey(o)) props.setProperty(o, u.options().get(o));
        // Not reWriteBatchedInserts: it answers SUCCESS_NO_INFO per row, and duplicate ids must be told apart.
        if (schema != null) {
            createSchema(jdbcUrl, props, schema, u.redacted());
            props.setProperty("currentSchema", schema);
        }

        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setDataSourceProperties(props);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("conveyor-pg");
        config.setConnectionTimeout(5_000);
        // A pooled connection that went silent is found by the check on borrow: no slower than socketTimeout.
        config.setValidationTimeout(Math.min(5_000, u.socketTimeout().toMillis()));
        // A generic plan for the claim ignores the LIMIT's selectivity; custom plans stay on the index.
        // A session idle inside a transaction for this long is dead (Conveyor never pauses mid-transaction): the
        // server ends it and frees its row locks. Without it, a worker whose connection went half-open in the
        // middle of a fetch kept its rows locked for as long as the server kept the socket (hours), and every
        // other worker's fetch waited on them: the whole queue stalled (found by the net-faults chaos scenario).
        long idleInTransactionMs = Math.max(5_000, 2 * u.socketTimeout().toMillis());
        config.setConnectionInitSql("SET plan_cache_mode = force_custom_plan; SET idle_in_transaction_session_timeout = "
                + idleInTransactionMs);
        PooledConnections db = new PooledConnections(config, u.redacted(), dialect::isTransient);
        return new Connected(u, dialect, db, jdbcUrl, props, poll, migrate);
    }

    private static void createSchema(String jdbcUrl, Properties props, String schema, String describe) {
        try (Connection c = DriverManager.getConnection(jdbcUrl, props); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        } catch (SQLException e) {
            throw new dev.conveyor.broker.BrokerException("cannot connect to " + describe + ": " + e.getMessage(), e);
        }
    }
}
