package dev.conveyor.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** A unit of work on one connection, inside the transaction the {@link ConnectionSource} opened. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
