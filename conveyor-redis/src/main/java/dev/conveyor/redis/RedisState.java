package dev.conveyor.redis;

import dev.conveyor.broker.StateStore;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@link StateStore} side of the Redis broker: one hash, {@code {prefix}:state}, whose writes are
 * compare-and-set in a script (so they are atomic on one server and on one Redis Cluster slot).
 */
final class RedisState {
    private final RedisConnection redis;
    private final RedisKeys keys;

    RedisState(RedisConnection redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    Optional<String> read(String key) {
        StateStore.checkEntry(key, null);
        return Optional.ofNullable(redis.await(redis.commands().hget(keys.state(), key).toCompletableFuture(),
                "reading state " + key));
    }

    boolean compareAndSet(String key, String expected, String value) {
        StateStore.checkEntry(key, value);
        Object reply = redis.await(redis.run(LuaScript.STATE, new String[] {keys.state()}, key,
                expected == null ? "0" : "1", expected == null ? "" : expected,
                value == null ? "0" : "1", value == null ? "" : value), "writing state " + key);
        return Replies.number(Replies.list(reply).get(0)) == 1;
    }

    /** Entries whose key starts with {@code prefix}, in key order (HSCAN with the prefix as a glob, escaped). */
    Map<String, String> readAll(String prefix) {
        Map<String, String> out = new TreeMap<>();
        ScanArgs match = ScanArgs.Builder.matches(glob(prefix) + "*").limit(500);
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            var page = redis.await(redis.commands().hscan(keys.state(), cursor, match).toCompletableFuture(),
                    "listing state " + prefix);
            for (Map.Entry<String, String> e : page.getMap().entrySet()) {
                if (e.getKey().startsWith(prefix)) out.put(e.getKey(), e.getValue());
            }
            cursor = page;
        } while (!cursor.isFinished());
        return out;
    }

    /** Escapes the characters Redis glob patterns treat specially. */
    private static String glob(String text) {
        StringBuilder b = new StringBuilder(text.length() + 8);
        for (char c : text.toCharArray()) {
            if (List.of('*', '?', '[', ']', '\\').contains(c)) b.append('\\');
            b.append(c);
        }
        return b.toString();
    }
}
