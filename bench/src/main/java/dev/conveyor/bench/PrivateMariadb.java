package dev.conveyor.bench;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A MariaDB server of the scenario's own: {@code mariadb-install-db} into a temporary directory, {@code mariadbd}
 * run as the {@code mysql} user, root without a password on a free loopback port; InnoDB's defaults
 * ({@code innodb_flush_log_at_trx_commit=1}), so an acknowledged commit survives SIGKILL.
 */
final class PrivateMariadb extends PrivateBroker {
    private static final String USER = "mysql";
    private Process process;
    private boolean created;

    PrivateMariadb() {
        super("mariadb");
        chown(USER);
        run(List.of(binary("mariadb-install-db", "mariadb-server", "/usr/bin", "/usr/local/bin"), "--no-defaults",
                "--user=" + USER, "--datadir=" + dir.resolve("data"), "--auth-root-authentication-method=normal",
                "--skip-test-db"), null);
    }

    @Override
    String url() {
        return "mariadb://root@127.0.0.1:" + port + "/conveyor?migrate=auto";
    }

    @Override
    void start() {
        List<String> command = List.of(binary("mariadbd", "mariadb-server", "/usr/sbin", "/usr/bin"), "--no-defaults",
                "--user=" + USER, "--datadir=" + dir.resolve("data"), "--port=" + port, "--bind-address=127.0.0.1",
                "--socket=" + dir.resolve("mysqld.sock"), "--pid-file=" + dir.resolve("mysqld.pid"),
                "--log-error=" + dir.resolve("error.log"), "--skip-name-resolve", "--innodb-buffer-pool-size=64M",
                "--max-connections=300");
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) throw new IllegalStateException("mariadbd on port " + port + " exited at start; see " + dir.resolve("error.log"));
                if (accepts(port) && createDatabase()) return;
                Thread.sleep(100);
            }
            throw new IllegalStateException("mariadbd on port " + port + " did not answer within 60 s; see " + dir.resolve("error.log"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Answers a query once crash recovery is done; creates the run's database the first time. */
    private boolean createDatabase() {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/?user=root");
             var s = c.createStatement()) {
            if (!created) s.execute("CREATE DATABASE IF NOT EXISTS conveyor");
            created = true;
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    void kill() {
        if (process == null) return;
        killTree(process.pid());
        process = null;
    }

    @Override
    String describe() {
        return "private MariaDB server on 127.0.0.1:" + port + ", innodb_flush_log_at_trx_commit=1";
    }
}
