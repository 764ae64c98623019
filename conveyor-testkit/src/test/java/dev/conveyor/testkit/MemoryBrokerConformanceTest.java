package dev.conveyor.testkit;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.memory.MemoryBroker;

/** The reference implementation runs the whole suite. */
class MemoryBrokerConformanceTest extends BrokerConformanceTest {
    @Override
    protected Broker openBroker(BrokerContext context) {
        return new MemoryBroker(context);
    }
}
