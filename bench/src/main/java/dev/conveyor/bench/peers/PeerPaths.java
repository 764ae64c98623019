package dev.conveyor.bench.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the drivers are, and what is missing to run them. The checkout's root comes from {@code -Dbench.root}
 * (bench/run sets it) or from the working directory upwards (the tests run in bench/).
 */
final class PeerPaths {
    final Path root;

    private PeerPaths(Path root) {
        this.root = root;
    }

    static PeerPaths find() {
        String prop = System.getProperty("bench.root");
        if (prop != null) return new PeerPaths(Path.of(prop).toAbsolutePath().normalize());
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("bench/peers/setup"))) return new PeerPaths(p);
        }
        throw new IllegalStateException("cannot find the checkout (bench/peers/setup) from " + Path.of("").toAbsolutePath()
                + "; set -Dbench.root");
    }

    Path peers() {
        return root.resolve("bench/peers");
    }

    Path nodeModules() {
        return peers().resolve(".cache/node/node_modules");
    }

    Path javaJar() {
        return peers().resolve("java/target/conveyor-bench-peers.jar");
    }

    /** The JVM drivers' class path: the module's jar and its copied dependencies. */
    String javaClassPath() {
        return javaJar() + java.io.File.pathSeparator + peers().resolve("java/target/lib") + "/*";
    }

    static String python() {
        return "/usr/bin/python3"; // Debian's python3-celery and python3-rq import only there
    }

    /** What this system's driver needs that is not there: empty when it can run. Each names how to fix it. */
    List<String> missing(PeerSystem s) {
        List<String> m = new ArrayList<>();
        switch (s.runtime()) {
            case JVM -> {
                if (!Files.isRegularFile(javaJar()) || !Files.isDirectory(peers().resolve("java/target/lib"))) {
                    m.add(s.label() + ": the JVM drivers are not built (" + root.relativize(javaJar())
                            + "); bench/run builds them, or: ./mvnw -B -q -pl bench/peers/java -am package -DskipTests");
                }
            }
            case NODE -> {
                String pkg = s == PeerSystem.BULLMQ ? "bullmq" : "graphile-worker";
                if (!Files.isDirectory(nodeModules().resolve(pkg))) {
                    m.add(s.label() + ": npm package " + pkg + " is not installed in " + root.relativize(nodeModules())
                            + "; run bench/peers/setup");
                }
            }
            case PYTHON -> {
                String mod = s == PeerSystem.CELERY ? "celery" : "rq";
                if (!pythonImports(mod)) {
                    m.add(s.label() + ": /usr/bin/python3 cannot import " + mod + "; run bench/peers/setup as root, or: "
                            + "apt-get install -y python3-celery python3-rq python3-redis");
                }
            }
        }
        return m;
    }

    /**
     * Runs {@code bench/peers/setup}, which installs what is missing (npm ci, apt-get as root); returns null when
     * it succeeded, else its output (naming what is missing and how to get it).
     */
    String setup() {
        try {
            Process p = new ProcessBuilder(peers().resolve("setup").toString()).directory(root.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? null : out;
        } catch (Exception e) {
            return "bench/peers/setup could not run: " + e;
        }
    }

    private static boolean pythonImports(String module) {
        try {
            Process p = new ProcessBuilder(python(), "-c", "import " + module + ", redis")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
