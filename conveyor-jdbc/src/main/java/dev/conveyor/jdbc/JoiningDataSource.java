package dev.conveyor.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Wraps an application's {@link DataSource} so that Conveyor's enqueues join the application's current
 * transaction: run business work in {@link #inTransaction}, and any {@code conveyor.enqueue(...)} made on that
 * thread meanwhile (by code that knows nothing of the connection) is written in the same transaction. Frameworks
 * with their own transaction binding (Spring's {@code TransactionAwareDataSourceProxy}) can pass their
 * connection to {@code Conveyor.enqueue(Connection, …)} instead.
 *
 * <pre>{@code
 * JoiningDataSource db = new JoiningDataSource(hikari);
 * ((SqlBroker) conveyor.broker()).joinTransactionsOf(db);
 *
 * db.inTransaction(c -> {
 *     insertOrder(c, order);
 *     receipts.send(order);   // calls conveyor.enqueue(SEND_RECEIPT, ...): joins this transaction
 *     return null;
 * });                         // commit: the order and its job; an exception: neither
 * }</pre>
 */
public final class JoiningDataSource implements DataSource {
    private final DataSource target;
    private final ThreadLocal<Connection> current = new ThreadLocal<>();

    public JoiningDataSource(DataSource target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    /**
     * Runs {@code work} in a new transaction on a connection of the target data source and commits it; rolls
     * back and rethrows if {@code work} throws. Nested calls on the same thread join the outer transaction.
     */
    public <T> T inTransaction(SqlWork<T> work) throws SQLException {
        Connection outer = current.get();
        if (outer != null) return work.run(outer);
        try (Connection c = target.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            current.set(c);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                c.rollback();
                throw e;
            } finally {
                current.remove();
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /** The connection of this thread's open {@link #inTransaction} call, or null. */
    public Connection currentTransaction() {
        return current.get();
    }

    /** A new connection from the target (not the current transaction's: that one is passed to the work). */
    @Override
    public Connection getConnection() throws SQLException {
        return target.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return target.getConnection(username, password);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : target.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || target.isWrapperFor(iface);
    }
}
