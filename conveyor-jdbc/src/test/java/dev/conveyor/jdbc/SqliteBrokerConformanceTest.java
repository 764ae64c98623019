package dev.conveyor.jdbc;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Brokers;
import dev.conveyor.testkit.BrokerConformanceTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The embedded SQLite store, durable settings (WAL, synchronous=FULL), through the whole conformance suite. */
class SqliteBrokerConformanceTest extends BrokerConformanceTest {
    @TempDir
    static Path dir;

    @Override
    protected Broker openBroker(BrokerContext context) {
        return Brokers.open("sqlite:" + dir.resolve("conformance.db"), context);
    }
}
