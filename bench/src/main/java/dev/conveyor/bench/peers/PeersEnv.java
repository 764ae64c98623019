package dev.conveyor.bench.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The report's header: machine, date, runtimes, servers, each system's version and settings, the command. */
final class PeersEnv {
    private PeersEnv() {}

    @SuppressWarnings("unchecked")
    static String markdown(List<Map<String, Object>> results, PeerOptions o) {
        StringBuilder b = new StringBuilder("| | |\n| --- | --- |\n");
        b.append("| written | ").append(java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).withNano(0)).append(" UTC |\n");
        b.append("| runs | ").append(results.stream().map(r -> r.get("env") instanceof Map<?, ?> e ? String.valueOf(e.get("date")) : null)
                .filter(d -> d != null).sorted().reduce((x, y) -> x).map(first -> first + " … " + results.stream()
                        .map(r -> r.get("env") instanceof Map<?, ?> e ? String.valueOf(e.get("date")) : "").max(String::compareTo).orElse(""))
                .orElse("—")).append(" |\n");
        b.append("| machine | ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (").append(cpuModel()).append("), ")
                .append(memTotal()).append(", ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version")).append(" |\n");
        b.append("| JDK | ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version"))
                .append("; JVM drivers with -Xmx1g |\n");
        b.append("| Node.js | ").append(version("node", "--version")).append(" |\n");
        b.append("| Python | ").append(version(PeerPaths.python(), "--version")).append(" (Debian's, for python3-celery and python3-rq) |\n");
        b.append("| Redis | ").append(BrokerPlace.describe(PeerSystem.Broker.REDIS)).append(" |\n");
        b.append("| PostgreSQL | ").append(BrokerPlace.describe(PeerSystem.Broker.POSTGRES)).append(" |\n");
        b.append("| Conveyor | ").append(System.getProperty("bench.git", "unknown")).append(" |\n");
        Map<String, String> versions = new TreeMap<>();
        Map<String, String> settings = new TreeMap<>();
        for (Map<String, Object> r : results) {
            if (r.get("version") != null && !"?".equals(r.get("version"))) versions.put((String) r.get("system"), String.valueOf(r.get("version")));
            if (r.get("settings") instanceof Map<?, ?> s && !s.isEmpty()) settings.putIfAbsent((String) r.get("system"), s.toString());
        }
        b.append("| versions | ").append(versions.toString().replaceAll("[{}]", "")).append(" |\n");
        b.append("| command | `bench/run peers").append(o.quick ? " --quick" : "").append("` (runs ").append(o.runs)
                .append(" per scenario and system, medians; cap ").append(o.cap.toSeconds()).append(" s a run) |\n\n");
        b.append("Settings each driver reported (see also docs/BENCHMARKS.md):\n\n");
        settings.forEach((k, v) -> b.append("- **").append(k).append("**: ").append(v).append('\n'));
        return b.toString();
    }

    private static String version(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return out;
        } catch (Exception e) {
            return "not found";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
        } catch (Exception e) {
            return System.getProperty("os.arch");
        }
    }

    private static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> String.format("%.1f GiB", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1048576.0)).findFirst().orElse("?");
        } catch (Exception e) {
            return "?";
        }
    }
}
