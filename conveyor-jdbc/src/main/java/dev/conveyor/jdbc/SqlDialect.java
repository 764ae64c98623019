package dev.conveyor.jdbc;

import java.util.List;

/**
 * What differs between SQL databases, kept small: the DDL, how to append to the JSON error history, and the
 * claim statement. Everything else in {@link SqlBroker} is plain SQL every supported database runs.
 */
public abstract class SqlDialect {
    protected final String table;

    protected SqlDialect(String tablePrefix) {
        if (!tablePrefix.matches("[a-z][a-z0-9_]{0,30}")) {
            throw new IllegalArgumentException("table prefix must match [a-z][a-z0-9_]{0,30}, was '" + tablePrefix + "'");
        }
        this.table = tablePrefix + "jobs";
    }

    /** The jobs table's name. */
    public String table() {
        return table;
    }

    public abstract String name();

    /** Statements that create the schema if it is missing; safe to run on every start. */
    public abstract List<String> createSchema();

    /** An SQL expression: the {@code errors} JSON array with the JSON object bound to one parameter appended. */
    public abstract String appendError();

    /**
     * A statement that leases ready jobs: parameters in order are the lease token, lease deadline, updated_at,
     * then the queue names ({@code queueCount} of them), then the limit. Returns the leased rows' columns.
     */
    public abstract String claim(int queueCount);
}
