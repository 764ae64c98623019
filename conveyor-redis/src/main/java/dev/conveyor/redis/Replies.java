package dev.conveyor.redis;

import java.util.List;

/** Reads script replies (nested lists of strings, integers and nulls) without trusting their shape. */
final class Replies {
    private Replies() {}

    @SuppressWarnings("unchecked")
    static List<Object> list(Object reply) {
        if (reply instanceof List<?> l) return (List<Object>) l;
        throw new IllegalStateException("unexpected reply from a Conveyor script: " + reply);
    }

    static String text(Object reply) {
        return reply == null ? null : reply.toString();
    }

    static long number(Object reply) {
        if (reply instanceof Number n) return n.longValue();
        return Long.parseLong(String.valueOf(reply));
    }
}
