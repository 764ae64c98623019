package dev.conveyor.redis;

/**
 * The names of Conveyor's keys under one prefix (the layout is documented in {@code docs/PROTOCOL.md}).
 * Every key of a queue carries the hash tag {@code {prefix:queue}}, so one script call on one queue touches one
 * Redis Cluster slot; the keys shared by all queues carry {@code {prefix}}.
 */
final class RedisKeys {
    private final String prefix;

    RedisKeys(String prefix) {
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    /** The common start of a queue's keys: {@code {prefix:queue}:}. */
    String base(String queue) {
        return "{" + prefix + ":" + queue + "}:";
    }

    /** The key every script on a queue is called with (and routed by): the ready set. */
    String ready(String queue) {
        return base(queue) + "ready";
    }

    String job(String queue, String id) {
        return base(queue) + "job:" + id;
    }

    String all(String queue) {
        return base(queue) + "all";
    }

    /** Hash id → queue: finds a job by id alone. */
    String index() {
        return "{" + prefix + "}:index";
    }

    /** Hash key → value: the shared state of {@code StateStore} (schedules, pause flags). */
    String state() {
        return "{" + prefix + "}:state";
    }

    /** Set of queue names that have had jobs. */
    String queues() {
        return "{" + prefix + "}:queues";
    }

    /** Pub/sub channel: the name of a queue that got work. */
    String wakeChannel() {
        return "{" + prefix + "}:wake";
    }

    /** Pub/sub channel: the name of a queue in which jobs finished (succeeded or went dead). */
    String doneChannel() {
        return "{" + prefix + "}:done";
    }
}
