package dev.conveyor.bench;

import java.nio.file.Path;
import java.util.Locale;

/** The brokers a scenario runs on. Each run gets a fresh broker: a new private {@code memory:} or a new file. */
public enum BrokerKind {
    /** The in-memory broker: the ceiling of the worker runtime itself. */
    MEMORY("memory", null),
    /** SQLite, WAL, {@code synchronous=FULL}: every commit is fsynced (the durable default). */
    SQLITE("sqlite", "FULL"),
    /** SQLite, WAL, {@code synchronous=NORMAL}: survives a crash of the process, not of the machine. */
    SQLITE_NORMAL("sqlite-normal", "NORMAL");

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

    /** A broker URL for one run; {@code file} names the database file of SQLite kinds (without extension). */
    public String url(Path dir, String file) {
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
        throw new IllegalArgumentException("unknown broker '" + s + "'; known: memory, sqlite, sqlite-normal");
    }
}
