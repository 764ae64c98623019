package dev.conveyor.testkit.servers;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A MariaDB server of its own: {@code mariadb-install-db} into a temporary directory, {@code mariadbd} run as the
 * {@code mysql} user, root without a password on a free loopback port, database {@code conveyor}; InnoDB's defaults
 * ({@code innodb_flush_log_at_trx_commit=1}), so an acknowledged commit survives SIGKILL. {@link #requireTls} makes
 * it accept TLS connections only. Needs the MariaDB JDBC driver on the class path (to create the database).
 */
public final class PrivateMariadb extends PrivateServer {
    private static final String USER = "mysql";
    private boolean created;
    private boolean tls;

    public PrivateMariadb() {
        super("mariadb");
        chown(USER);
        run(List.of(binary("mariadb-install-db", "mariadb-server", "/usr/bin", "/usr/local/bin"), "--no-defaults",
                "--user=" + USER, "--datadir=" + dir.resolve("data"), "--auth-root-authentication-method=normal",
                "--skip-test-db"), null);
    }

    /** From the next {@link #start}: serves {@code cert} and refuses connections that are not TLS. */
    public PrivateMariadb requireTls(SelfSignedCert cert) {
        installCert(cert, dir, USER);
        tls = true;
        return this;
    }

    /** Auto-migrating. */
    @Override
    public String url(String options) {
        return "mariadb://root@127.0.0.1:" + port + "/conveyor?migrate=auto" + (options.isEmpty() ? "" : "&" + options);
    }

    @Override
    public void start() {
        List<String> command = new ArrayList<>(List.of(binary("mariadbd", "mariadb-server", "/usr/sbin", "/usr/bin"),
                "--no-defaults", "--user=" + USER, "--datadir=" + dir.resolve("data"), "--port=" + port,
                "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mysqld.sock"), "--pid-file=" + dir.resolve("mysqld.pid"),
                "--log-error=" + dir.resolve("error.log"), "--skip-name-resolve", "--innodb-buffer-pool-size=64M",
                "--max-connections=300"));
        if (tls) {
            command.addAll(List.of("--ssl-cert=" + dir.resolve("server.crt"), "--ssl-key=" + dir.resolve("server.key"),
                    "--require-secure-transport=ON"));
        }
        process = launch(command, () -> accepts(port) && createDatabase(), dir.resolve("error.log"));
    }

    /** Answers a query once crash recovery is done; creates the database the first time. */
    private boolean createDatabase() {
        String url = "jdbc:mariadb://127.0.0.1:" + port + "/?user=root" + (tls ? "&sslMode=trust" : "");
        try (Connection c = DriverManager.getConnection(url); var s = c.createStatement()) {
            if (!created) s.execute("CREATE DATABASE IF NOT EXISTS conveyor");
            created = true;
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public String describe() {
        return "private MariaDB server on 127.0.0.1:" + port + ", innodb_flush_log_at_trx_commit=1" + (tls ? ", TLS only" : "");
    }
}
