package dev.conveyor.testkit.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of its own: {@code initdb} into a temporary directory, run as the {@code postgres} user when
 * this process is root (PostgreSQL refuses root). Default durability (fsync on, synchronous_commit on), so an
 * acknowledged commit survives SIGKILL. {@link #requireTls} makes it accept TLS connections only.
 */
public final class PrivatePostgres extends PrivateServer {
    private static final String USER = "postgres";
    private final Path bin;
    private boolean tls;

    public PrivatePostgres() {
        super("pg");
        bin = binaries();
        chown(USER);
        run(List.of("chmod", "700", dir.toString()), null);
        run(List.of(bin.resolve("initdb").toString(), "-D", data().toString(), "-U", "postgres", "--auth=trust",
                "--no-sync"), USER);
    }

    private Path data() {
        return dir.resolve("data");
    }

    /**
     * From the next {@link #start}: serves {@code cert} and refuses every connection over TCP that is not TLS
     * ({@code hostssl} trust, {@code hostnossl} reject).
     */
    public PrivatePostgres requireTls(SelfSignedCert cert) {
        try {
            Files.writeString(data().resolve("pg_hba.conf"), """
                    local all all trust
                    hostssl all all 127.0.0.1/32 trust
                    hostnossl all all 127.0.0.1/32 reject
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        installCert(cert, data(), USER);
        tls = true;
        return this;
    }

    /** Auto-migrating. */
    @Override
    public String url(String options) {
        return "postgresql://postgres@127.0.0.1:" + port + "/postgres?migrate=auto" + (options.isEmpty() ? "" : "&" + options);
    }

    @Override
    public void start() {
        List<String> options = new ArrayList<>(List.of("-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1"));
        if (tls) options.add("-c ssl=on");
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-l", dir.resolve("log").toString(),
                "-w", "-t", "60", "-o", String.join(" ", options), "start"), USER);
    }

    /** The postmaster and all its backends, SIGKILLed (a postmaster killed alone leaves backends holding shared memory). */
    @Override
    public void kill() {
        Path pidFile = data().resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) return;
            long pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().trim());
            killTree(pid);
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read " + pidFile, e);
        }
    }

    @Override
    public String describe() {
        return "private PostgreSQL " + bin.getParent().getFileName() + " cluster on 127.0.0.1:" + port
                + ", fsync on, synchronous_commit on" + (tls ? ", TLS only" : "");
    }

    private static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.naturalOrder())
                    .orElseThrow(() -> new IllegalStateException("no pg_ctl under /usr/lib/postgresql/*/bin; install "
                            + "it with: apt-get install -y postgresql"));
        } catch (IOException e) {
            throw new IllegalStateException("PostgreSQL binaries not found under /usr/lib/postgresql; install them "
                    + "with: apt-get install -y postgresql", e);
        }
    }
}
