package dev.conveyor.jdbc.sqlite;

import dev.conveyor.jdbc.JobRows;
import dev.conveyor.jdbc.Migration;
import dev.conveyor.jdbc.SqlDialect;
import java.util.List;

/**
 * SQLite 3.35+ (for {@code UPDATE … RETURNING}); times are epoch milliseconds. The schema and its indexes are
 * explained in {@code docs/SQL.md}.
 */
public final class SqliteDialect extends SqlDialect {
    public SqliteDialect(String tablePrefix) {
        super(tablePrefix);
    }

    /** One writer at a time: a second transaction would only wait for the first's lock. */
    @Override
    public int enqueueLanes() {
        return 1;
    }

    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    protected Migration cancelAndProgressMigration() {
        // SQLite adds one column per statement; its DDL is transactional, so both apply or neither does.
        return new Migration(3, "cancel requests and progress of running jobs", List.of(
                "ALTER TABLE " + table + " ADD COLUMN cancel_requested_at INTEGER",
                "ALTER TABLE " + table + " ADD COLUMN progress TEXT"));
    }

    @Override
    protected String binaryCollation() {
        return "COLLATE BINARY";
    }

    @Override
    public List<Migration> migrations() {
        return List.of(new Migration(1, "jobs table and its indexes", withPartialIndexes(
                "CREATE TABLE IF NOT EXISTS " + table + " ("
                        + "id TEXT PRIMARY KEY, "
                        + "queue TEXT NOT NULL, "
                        + "task TEXT NOT NULL, "
                        + "state TEXT NOT NULL, "
                        + "priority INTEGER NOT NULL, "
                        + "run_at INTEGER NOT NULL, "
                        + "enqueued_at INTEGER NOT NULL, "
                        + "attempt INTEGER NOT NULL, "
                        + "deliveries INTEGER NOT NULL, "
                        + "max_attempts INTEGER NOT NULL, "
                        + "max_deliveries INTEGER NOT NULL, "
                        + "lease_token INTEGER, "
                        + "lease_until INTEGER, "
                        + "args TEXT NOT NULL, "
                        + "headers TEXT, "
                        + "expires_at INTEGER, "
                        + "timeout_ms INTEGER, "
                        + "unique_key TEXT, "
                        + "unique_for_ms INTEGER, "
                        + "parent_id TEXT, "
                        + "group_id TEXT, "
                        + "result TEXT, "
                        + "errors TEXT NOT NULL DEFAULT '[]', "
                        + "dead_reason TEXT, "
                        + "updated_at INTEGER NOT NULL, "
                        + "finished_at INTEGER)")), stateMigration(), cancelAndProgressMigration(),
                fairKeyMigration(),
                startMarkMigration(), keepResultMigration());
    }

    @Override
    public String appendError() {
        return "json_insert(errors, '$[#]', json(?))";
    }

    @Override
    protected String claimStatement(int queueCount) {
        return "UPDATE " + table + " SET state = 'RUNNING', deliveries = deliveries + 1, lease_token = ?, "
                + "lease_until = ?, updated_at = ? WHERE id IN (SELECT id FROM " + table
                + " WHERE state = 'READY' AND queue IN (" + placeholders(queueCount)
                + ") ORDER BY priority DESC, run_at, id LIMIT ?) RETURNING " + JobRows.JOB_COLUMNS;
    }
}
