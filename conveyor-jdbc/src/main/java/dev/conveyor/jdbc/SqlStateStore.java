package dev.conveyor.jdbc;

import dev.conveyor.broker.StateStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@link StateStore} on the {@code <prefix>state} table (migration 2): one row per key. A compare-and-set is
 * one conditional statement, so it is atomic on every database without explicit locks: an insert that ignores
 * an existing key, or an update/delete whose WHERE names the expected value.
 */
final class SqlStateStore implements StateStore {
    private final SqlDialect dialect;
    private final ConnectionSource db;
    private final Clock clock;
    private final String table;

    SqlStateStore(SqlDialect dialect, ConnectionSource db, Clock clock) {
        this.dialect = dialect;
        this.db = db;
        this.clock = clock;
        this.table = dialect.stateTable();
    }

    @Override
    public Optional<String> readState(String key) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT value FROM " + table + " WHERE name = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    @Override
    public boolean compareAndSetState(String key, String expected, String value) {
        StateStore.checkEntry(key, value);
        long now = clock.millis();
        return db.write(c -> {
            String sql;
            if (expected == null && value == null) {
                // "delete if absent": true exactly when nothing is stored.
                return readState(key).isEmpty();
            } else if (expected == null) {
                sql = dialect.insertIgnoring(table, "name, value, updated_at", "?, ?, ?");
            } else if (value == null) {
                sql = "DELETE FROM " + table + " WHERE name = ? AND " + dialect.stateValueEquals();
            } else {
                sql = "UPDATE " + table + " SET value = ?, updated_at = ? WHERE name = ? AND " + dialect.stateValueEquals();
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (expected == null) {
                    ps.setString(1, key);
                    ps.setString(2, value);
                    ps.setLong(3, now);
                } else if (value == null) {
                    ps.setString(1, key);
                    ps.setString(2, expected);
                } else {
                    ps.setString(1, value);
                    ps.setLong(2, now);
                    ps.setString(3, key);
                    ps.setString(4, expected);
                }
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Map<String, String> readStates(String prefix) {
        return db.read(c -> {
            // A range on the primary key rather than LIKE: no escaping of '%' or '_' in the prefix.
            try (PreparedStatement ps = c.prepareStatement("SELECT name, value FROM " + table
                    + " WHERE name >= ? AND name < ? ORDER BY name")) {
                ps.setString(1, prefix);
                ps.setString(2, prefix + '\u007f');
                Map<String, String> out = new LinkedHashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String name = rs.getString(1);
                        if (name.startsWith(prefix)) out.put(name, rs.getString(2));
                    }
                }
                return out;
            }
        });
    }
}
