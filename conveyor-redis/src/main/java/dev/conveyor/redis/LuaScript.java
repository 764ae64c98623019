package dev.conveyor.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One of the broker's Lua scripts, read from {@code dev/conveyor/redis/lua/} on the classpath, with the shared
 * helpers of {@code common.lua} put in place of its {@code -- #include common} line (Redis runs each script on
 * its own, so they cannot import each other). Run by its SHA-1
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
    static final LuaScript AGE = load("age");
    static final LuaScript VIEW = load("view");

    static final LuaScript[] ALL = {INDEX, ENQUEUE, FETCH, SETTLE, ADMIN, LIST, STATS, STATE, AGE, VIEW};

    /** The line a script puts where the shared helpers of {@code lua/common.lua} go. */
    private static final String INCLUDE = "-- #include common";

    private static String common() {
        try (InputStream in = LuaScript.class.getResourceAsStream("lua/common.lua")) {
            if (in == null) throw new IllegalStateException("missing resource dev/conveyor/redis/lua/common.lua");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read dev/conveyor/redis/lua/common.lua", e);
        }
    }

    private static LuaScript load(String name) {
        String path = "lua/" + name + ".lua";
        try (InputStream in = LuaScript.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing resource dev/conveyor/redis/" + path);
            String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (source.contains(INCLUDE)) source = source.replace(INCLUDE, common());
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return new LuaScript(name, source, HexFormat.of().formatHex(digest));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot read dev/conveyor/redis/" + path, e);
        }
    }
}
