package dev.conveyor.redis;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.BrokerProvider;
import java.util.Set;

/**
 * Opens Redis brokers for {@code redis://}, {@code rediss://} (TLS), {@code redis-cluster://} and
 * {@code rediss-cluster://} URLs; see {@link RedisUrl} for the form and options. On open it connects (a
 * {@link dev.conveyor.broker.BrokerException} names host:port when that fails), loads the Lua scripts and logs
 * a warning for each persistence setting that can lose jobs.
 *
 * <pre>{@code
 * Broker broker = Brokers.open("redis://:secret@127.0.0.1:6379/2?prefix=billing&payloadLimit=256KiB",
 *         BrokerContext.defaults());
 * }</pre>
 */
public final class RedisBrokerProvider implements BrokerProvider {
    @Override
    public Set<String> schemes() {
        return RedisUrl.SCHEMES;
    }

    @Override
    public Broker open(String url, BrokerContext context) {
        return openBroker(url, context);
    }

    static RedisBroker openBroker(String url, BrokerContext context) {
        RedisUrl parsed = RedisUrl.parse(url);
        RedisConnection redis = RedisConnection.open(parsed);
        try {
            redis.loadScripts();
            DurabilityCheck.run(redis);
            return new RedisBroker(redis, context.clock());
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
    }
}
