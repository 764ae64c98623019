package dev.conveyor.bench;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The brokers a scenario runs on. Each run gets a fresh broker: a new private {@code memory:}, a new SQLite file,
 * or (PostgreSQL, MariaDB: the machine's local servers, see {@link ServerDb}) a new schema or database named
 * {@code conveyor_bench_<random>}, dropped after the run.
 */
public enum BrokerKind {
    /** The in-memory broker: the ceiling of the worker runtime itself. */
    MEMORY("memory", null),
    /** SQLite, WAL, {@code synchronous=FULL}: every commit is fsynced (the durable default). */
    SQLITE("sqlite", "FULL"),
    /** SQLite, WAL, {@code synchronous=NORMAL}: survives a crash of the process, not of the machine. */
    SQLITE_NORMAL("sqlite-normal", "NORMAL"),
    /** The local PostgreSQL (127.0.0.1:5432, user postgres, database test), synchronous commit on. */
    POSTGRES("postgres", null),
    /** The local MariaDB (127.0.0.1:3306, user root), the server's default durability. */
    MARIADB("mariadb", null),
    /** The local Redis (127.0.0.1:6379), a key prefix per run; durability is the server's (see the result's env). */
    REDIS("redis", null);

    /** What runs when no --broker is given: the embedded brokers, which need no server. */
    public static final java.util.List<BrokerKind> EMBEDDED = java.util.List.of(MEMORY, SQLITE, SQLITE_NORMAL);

    private final String label;
    private final String synchronous;

    BrokerKind(String label, String synchronous) {
        this.label = label;
        this.synchronous = synchronous;
    }

    /** The name used on the command line and in result file names. */
    public String label() {
        return label;
    }

    /** FULL or NORMAL for SQLite, null for memory. */
    public String synchronous() {
        return synchronous;
    }

    public boolean isSqlite() {
        return synchronous != null;
    }

    /** PostgreSQL or MariaDB: a SQL server of the machine (a schema or database per run). */
    public boolean isServer() {
        return this == POSTGRES || this == MARIADB;
    }

    /** The machine's Redis (a key prefix per run). */
    public boolean isRedis() {
        return this == REDIS;
    }

    /** A broker URL for one run of memory or SQLite; {@code file} names the SQLite file (without extension). */
    public String url(Path dir, String file) {
        if (isServer() || isRedis()) throw new IllegalStateException(label + " runs on a server: see ServerDb, RedisRun");
        if (!isSqlite()) return "memory:";
        return "sqlite:" + dbFile(dir, file) + "?synchronous=" + synchronous;
    }

    public static Path dbFile(Path dir, String file) {
        return dir.resolve(file + ".db").toAbsolutePath();
    }

    public static BrokerKind parse(String s) {
        String k = s.toLowerCase(Locale.ROOT);
        for (BrokerKind b : values()) if (b.label.equals(k)) return b;
        if (k.equals("sqlite-full")) return SQLITE;
        if (k.equals("postgresql") || k.equals("pg")) return POSTGRES;
        if (k.equals("mysql")) return MARIADB;
        throw new IllegalArgumentException("unknown broker '" + s + "'; known: memory, sqlite, sqlite-normal, postgres, mariadb, redis");
    }
}
