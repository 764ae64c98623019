package dev.conveyor.redis;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Brokers;
import dev.conveyor.testkit.BrokerConformanceTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis broker against the machine's shared server, under a key prefix of its own removed afterwards. */
class RedisBrokerConformanceTest extends BrokerConformanceTest {
    @RegisterExtension
    static final LocalRedis redis = new LocalRedis();

    @Override
    protected Broker openBroker(BrokerContext context) {
        return Brokers.open(redis.url(""), context);
    }
}
