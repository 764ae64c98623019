package dev.conveyor.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where and with what a benchmark ran: machine, load, JDK, library versions. */
final class Env {
    private Env() {}

    static Map<String, Object> snapshot(Path dbDir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("cpuModel", cpuModel());
        m.put("memTotal", memTotal());
        m.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + ")");
        m.put("jvmArgs", ManagementFactory.getRuntimeMXBean().getInputArguments());
        m.put("maxHeapMb", Runtime.getRuntime().maxMemory() >> 20);
        m.put("conveyor", System.getProperty("bench.git", "unknown"));
        m.put("sqlite", sqliteVersion());
        m.put("hdrHistogram", mavenVersion("org.hdrhistogram", "HdrHistogram"));
        m.put("jackson", com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString());
        if (dbDir != null) {
            m.put("dbDir", dbDir.toAbsolutePath().toString());
            m.put("dbFileSystem", fileSystem(dbDir));
        }
        m.put("loadAverage", loadAverage());
        m.put("otherJavaProcesses", otherJava());
        return m;
    }

    /** The 1-, 5- and 15-minute load averages from /proc/loadavg, or an empty list. */
    static List<Double> loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return List.of(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
        } catch (Exception e) {
            return List.of();
        }
    }

    /** Other JVMs on the machine (their command lines, shortened): a build or test suite skews the figures. */
    static List<String> otherJava() {
        long self = ProcessHandle.current().pid();
        List<String> out = new ArrayList<>();
        ProcessHandle.allProcesses().filter(p -> p.pid() != self).forEach(p -> {
            String cmd = p.info().commandLine().orElse(p.info().command().orElse(""));
            if (cmd.contains("/java") || cmd.startsWith("java ")) {
                out.add(p.pid() + " " + (cmd.length() > 160 ? cmd.substring(0, 160) + "…" : cmd));
            }
        });
        return out;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format("%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return "unknown";
    }

    private static String sqliteVersion() {
        String driver = mavenVersion("org.xerial", "sqlite-jdbc");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT sqlite_version()")) {
            rs.next();
            return rs.getString(1) + " (sqlite-jdbc " + driver + ")";
        } catch (Exception e) {
            return "unknown (sqlite-jdbc " + driver + "): " + e.getMessage();
        }
    }

    /** The version in a jar's META-INF/maven/GROUP/ARTIFACT/pom.properties, or "?". */
    private static String mavenVersion(String group, String artifact) {
        String path = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (var in = Env.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) return "?";
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version", "?");
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static String fileSystem(Path dir) {
        try {
            Path p = dir.toAbsolutePath();
            while (p != null && !Files.exists(p)) p = p.getParent();
            var store = Files.getFileStore(p);
            return store.type() + " (" + store.name() + ")";
        } catch (Exception e) {
            return "unknown";
        }
    }
}
