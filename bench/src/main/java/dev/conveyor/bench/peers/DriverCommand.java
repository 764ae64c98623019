package dev.conveyor.bench.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The command line of one driver run: the runtime, the driver, the protocol's flags and the broker place. */
final class DriverCommand {
    private DriverCommand() {}

    static List<String> build(PeerPaths paths, PeerSystem s, PeerScenario sc, int jobs, PeerOptions o, List<String> place) {
        List<String> c = new ArrayList<>();
        switch (s.runtime()) {
            case JVM -> {
                c.add(ProcessHandle.current().info().command().orElse("java")); // this JDK (21+), not the PATH's java
                // The same heap limit for every JVM system; no pre-touch, so its RSS is what it uses.
                c.add("-Xmx1g");
                c.add("--enable-native-access=ALL-UNNAMED");
                c.add("-Ddriver.timeoutSeconds=" + o.cap.toSeconds());
                c.add("-Dbench.git=" + System.getProperty("bench.git", "unknown"));
                c.add("-cp");
                c.add(paths.javaClassPath());
                c.add(s.entry());
            }
            case NODE -> {
                c.add("node");
                c.add(paths.peers().resolve("node").resolve(s.entry()).toString());
            }
            case PYTHON -> {
                c.add(PeerPaths.python());
                c.add(paths.peers().resolve("python").resolve(s.entry()).toString());
            }
        }
        c.addAll(s.extraArgs());
        c.addAll(List.of("--scenario", sc.driverScenario(), "--jobs", String.valueOf(jobs),
                "--concurrency", String.valueOf(sc.concurrency()), "--batch", "1000",
                "--timeout-seconds", String.valueOf(o.cap.toSeconds()),
                "--idle-ms", String.valueOf(o.idle.toMillis())));
        if (sc.rate() > 0) {
            c.addAll(List.of("--rate", String.valueOf(sc.rate()), "--duration-ms", String.valueOf(o.latencyDuration.toMillis()),
                    "--warmup-ms", String.valueOf(o.latencyWarmup.toMillis())));
        }
        if (sc.driverScenario().equals("io")) c.addAll(List.of("--sleep-ms", "100"));
        c.addAll(place);
        return c;
    }

    static Map<String, String> env(PeerPaths paths, PeerSystem s) {
        return s.runtime() == PeerSystem.Runtime.NODE ? Map.of("NODE_PATH", paths.nodeModules().toString()) : Map.of();
    }
}
