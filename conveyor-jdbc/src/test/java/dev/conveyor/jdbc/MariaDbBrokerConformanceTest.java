package dev.conveyor.jdbc;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Brokers;
import dev.conveyor.testkit.BrokerConformanceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The MariaDB broker against the machine's real server, in a database of its own. */
class MariaDbBrokerConformanceTest extends BrokerConformanceTest {
    static MariaDbTestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = new MariaDbTestDatabase();
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @Override
    protected Broker openBroker(BrokerContext context) {
        return Brokers.open(db.url("pool=4"), context);
    }
}
