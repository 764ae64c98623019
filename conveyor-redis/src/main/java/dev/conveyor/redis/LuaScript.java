package dev.conveyor.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One of the broker's Lua scripts, read from {@code dev/conveyor/redis/lua/} on the classpath. Run by its SHA-1
 * ({@code EVALSHA}); {@link RedisConnection} loads it again when a server answers {@code NOSCRIPT} (after a restart
 * or a failover the script cache is empty).
 */
record LuaScript(String name, String source, String sha) {
    static final LuaScript INDEX = load("index");
    static final LuaScript ENQUEUE = load("enqueue");
    static final LuaScript FETCH = load("fetch");
    static final LuaScript SETTLE = load("settle");
    static final LuaScript ADMIN = load("admin");
    static final LuaScript LIST = load("list");
    static final LuaScript STATS = load("stats");
    static final LuaScript STATE = load("state");

    static final LuaScript[] ALL = {INDEX, ENQUEUE, FETCH, SETTLE, ADMIN, LIST, STATS, STATE};

    private static LuaScript load(String name) {
        String path = "lua/" + name + ".lua";
        try (InputStream in = LuaScript.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing resource dev/conveyor/redis/" + path);
            String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return new LuaScript(name, source, HexFormat.of().formatHex(digest));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot read dev/conveyor/redis/" + path, e);
        }
    }
}
