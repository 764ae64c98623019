package dev.conveyor.jdbc;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Brokers;
import dev.conveyor.testkit.BrokerConformanceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The PostgreSQL broker against the machine's real server, in a schema of its own. */
class PostgresBrokerConformanceTest extends BrokerConformanceTest {
    static PostgresTestDatabase db;

    @BeforeAll
    static void createSchema() {
        db = new PostgresTestDatabase();
    }

    @AfterAll
    static void dropSchema() {
        db.close();
    }

    @Override
    protected Broker openBroker(BrokerContext context) {
        return Brokers.open(db.url("pool=4"), context);
    }
}
