package dev.conveyor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the scenario's own: {@code initdb} into a temporary directory, run as the
 * {@code postgres} user when this process is root (PostgreSQL refuses root). Default durability (fsync on,
 * synchronous_commit on), so an acknowledged commit survives SIGKILL.
 */
final class PrivatePostgres extends PrivateBroker {
    private static final String USER = "postgres";
    private final Path bin;

    PrivatePostgres() {
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

    @Override
    String url() {
        return "postgresql://postgres@127.0.0.1:" + port + "/postgres?migrate=auto";
    }

    @Override
    void start() {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-l", dir.resolve("log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "start"), USER);
    }

    /** The postmaster and all its backends, SIGKILLed (a postmaster killed alone leaves backends holding shared memory). */
    @Override
    void kill() {
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
    String describe() {
        return "private PostgreSQL " + bin.getParent().getFileName() + " cluster on 127.0.0.1:" + port
                + ", fsync on, synchronous_commit on";
    }

    private static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.naturalOrder())
                    .orElseThrow(() -> new IllegalStateException("no pg_ctl under /usr/lib/postgresql/*/bin"));
        } catch (IOException e) {
            throw new IllegalStateException("PostgreSQL binaries not found under /usr/lib/postgresql; install them "
                    + "with: apt-get install -y postgresql", e);
        }
    }
}
