package dev.conveyor.bench.peers.driver;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The drivers' command line, the same for every system (Java, Node and Python drivers take the same flags):
 * {@code --scenario throughput|e2e|latency|io|footprint --jobs N --concurrency C --rate R --duration-ms D
 * --warmup-ms W --sleep-ms S --batch B --idle-ms I} plus where the broker is: {@code --redis URL --prefix P}
 * or {@code --pg URL} or {@code --sqlite FILE}. See docs/BENCHMARKS.md, "Peers side by side".
 */
public record DriverArgs(String scenario, int jobs, int concurrency, int rate, long durationMs, long warmupMs,
                         int sleepMs, int batch, long idleMs, String redis, String prefix, String pg, String sqlite,
                         Map<String, String> extra) {

    /** Parses {@code --key value} and {@code --key=value}; unknown keys land in {@link #extra}. */
    public static DriverArgs parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "'");
            int eq = a.indexOf('=');
            if (eq > 0) {
                m.put(a.substring(2, eq), a.substring(eq + 1));
            } else {
                if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                m.put(a.substring(2), args[++i]);
            }
        }
        DriverArgs d = new DriverArgs(
                take(m, "scenario", "e2e"),
                Integer.parseInt(take(m, "jobs", "10000")),
                Integer.parseInt(take(m, "concurrency", "64")),
                Integer.parseInt(take(m, "rate", "1000")),
                Long.parseLong(take(m, "duration-ms", "10000")),
                Long.parseLong(take(m, "warmup-ms", "2000")),
                Integer.parseInt(take(m, "sleep-ms", "0")),
                Integer.parseInt(take(m, "batch", "1000")),
                Long.parseLong(take(m, "idle-ms", "2000")),
                take(m, "redis", "redis://127.0.0.1:6379"),
                take(m, "prefix", "peerbench"),
                take(m, "pg", null),
                take(m, "sqlite", null),
                m);
        if (!java.util.Set.of("throughput", "e2e", "latency", "io", "footprint").contains(d.scenario)) {
            throw new IllegalArgumentException("unknown --scenario " + d.scenario + "; known: throughput, e2e, latency, io, footprint");
        }
        return d;
    }

    private static String take(Map<String, String> m, String key, String dflt) {
        String v = m.remove(key);
        return v != null ? v : dflt;
    }

    /** The PostgreSQL URL as JDBC wants it: {@code postgresql://user@host:port/db} to {@code jdbc:postgresql://host:port/db?user=user}. */
    public String pgJdbc() {
        if (pg == null) throw new IllegalArgumentException("this driver needs --pg postgresql://user@host:port/database");
        java.net.URI u = java.net.URI.create(pg);
        String user = u.getUserInfo() != null ? u.getUserInfo() : "postgres";
        return "jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 5432) + u.getPath() + "?user=" + user;
    }
}
