package dev.conveyor.redis;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Brokers;
import dev.conveyor.testkit.BrokerConformanceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The Redis broker against the machine's shared server, under a key prefix of its own removed afterwards. */
class RedisBrokerConformanceTest extends BrokerConformanceTest {
    static LocalRedis redis;

    @BeforeAll
    static void connect() {
        redis = new LocalRedis();
    }

    @AfterAll
    static void removeKeys() {
        if (redis != null) redis.close();
    }

    @Override
    protected Broker openBroker(BrokerContext context) {
        return Brokers.open(redis.url(""), context);
    }
}
