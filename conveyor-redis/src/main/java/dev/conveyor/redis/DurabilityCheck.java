package dev.conveyor.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says, once when a broker opens, how the server's persistence settings can lose jobs. Redis acknowledges a
 * write before it is on disk unless {@code appendonly yes} and {@code appendfsync always}; and with an eviction
 * policy other than {@code noeviction} a full server deletes keys — jobs — silently.
 */
final class DurabilityCheck {
    private static final Logger log = LoggerFactory.getLogger(DurabilityCheck.class);
    /** Each warning once per JVM: a process that opens many brokers on one server is told once. */
    private static final java.util.Set<String> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private DurabilityCheck() {}

    /**
     * Logs a warning per risk found (on every master of a cluster); returns the warnings (empty when the
     * settings keep acknowledged jobs).
     */
    static List<String> run(RedisConnection redis) {
        List<String> warnings = new ArrayList<>();
        for (var server : redis.servers().entrySet()) {
            String where = "Redis at " + server.getKey();
            Map<String, String> config;
            try {
                config = redis.await(server.getValue().configGet("appendonly", "appendfsync", "maxmemory-policy")
                        .toCompletableFuture(), "reading its persistence settings");
            } catch (RuntimeException e) {
                warnings.add(where + ": could not check its persistence settings (CONFIG GET failed: " + e.getMessage()
                        + "); make sure appendonly=yes, appendfsync=always (or accept losing up to ~1 s of jobs) and "
                        + "maxmemory-policy=noeviction");
                continue;
            }
            warnings.addAll(assess(where, config));
        }
        for (String w : warnings) {
            if (WARNED.add(w)) log.warn(w);
        }
        return warnings;
    }

    static List<String> assess(String where, Map<String, String> config) {
        List<String> warnings = new ArrayList<>();
        String aof = config.get("appendonly");
        String fsync = config.get("appendfsync");
        String policy = config.get("maxmemory-policy");
        if (aof == null && fsync == null && policy == null) {
            warnings.add(where + ": CONFIG GET returned nothing (renamed or restricted); could not check persistence");
            return warnings;
        }
        if (!"yes".equals(aof)) {
            warnings.add(where + " runs without the append-only file (appendonly=" + aof + "): jobs enqueued since the "
                    + "last RDB snapshot (if any) are lost when the server stops or crashes. Set appendonly yes");
        } else if (!"always".equals(fsync)) {
            warnings.add(where + " syncs its append-only file " + (fsync == null ? "rarely" : "'" + fsync + "'")
                    + " (appendfsync=" + fsync + "): up to ~1 s of acknowledged enqueues and acks can be lost on a "
                    + "crash. Set appendfsync always when every job must survive");
        }
        if (policy != null && !"noeviction".equals(policy)) {
            warnings.add(where + " evicts keys when full (maxmemory-policy=" + policy + "): jobs can be deleted "
                    + "silently. Set maxmemory-policy noeviction (enqueues then fail loudly when memory is full)");
        }
        return warnings;
    }
}
