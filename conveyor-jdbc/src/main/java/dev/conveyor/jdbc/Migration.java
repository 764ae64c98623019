package dev.conveyor.jdbc;

import java.util.List;

/**
 * One step of the schema: applied once, in version order, and recorded in the {@code <prefix>schema_version}
 * table. Never edit a released migration; add the next one.
 *
 * @param version     1, 2, 3 … with no gaps
 * @param description what it changes, for the record table and {@code conveyor migrate}
 * @param statements  the SQL, run in order
 */
public record Migration(int version, String description, List<String> statements) {
    public Migration {
        statements = List.copyOf(statements);
    }
}
