package dev.conveyor.testkit;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/**
 * The broker conformance suite: the written contracts of {@link Broker} and {@link dev.conveyor.broker.JobStore},
 * plus the worker scenarios that depend on them, as one set of JUnit tests every broker runs. A broker module
 * (or a third party's) adds one small subclass to its tests:
 *
 * <pre>{@code
 * class PostgresBrokerConformanceTest extends BrokerConformanceTest {
 *     static final String URL = "postgresql://127.0.0.1:5432/test";
 *
 *     @Override
 *     protected Broker openBroker(BrokerContext context) {
 *         return Brokers.open(URL, context);   // a new broker over shared storage is fine
 *     }
 *
 *     @Override
 *     protected void cleanUp() {               // optional: after each test, once the broker is closed
 *         TestDatabase.dropConveyorTables(URL);
 *     }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> Before each test the suite calls {@link #openBroker} with a {@link BrokerContext} holding
 * the suite's clock; after it, it stops the workers the test started, closes the broker and calls
 * {@link #cleanUp}. Each test uses queue names of its own (a random prefix per test), so brokers whose storage
 * outlives the broker object (SQL, Redis) need no clean-up between tests; tests run one at a time.
 *
 * <p><b>Capabilities.</b> A test that needs a {@link dev.conveyor.broker.Capability} the broker does not declare
 * is skipped (a JUnit assumption naming the capability), never failed: {@code DELAYED} gates future
 * {@code runAt}s and retry schedules, {@code PRIORITIES} the priority order, {@code UNIQUE_KEYS} the unique-key
 * tests, {@code RESULTS} stored results, {@code INSPECTION} everything that reads the {@code JobStore} (most
 * worker scenarios read job states; broker-level tests check states only where it is declared), and
 * {@code PUSH_WAKEUP} the prompt-wake-up tests of {@code awaitWork}. The corrupt-envelope test runs only for
 * brokers that implement {@link dev.conveyor.broker.RawEnvelopeSink}. One test checks the declaration itself:
 * {@code INSPECTION} if and only if the broker implements {@code JobStore}.
 *
 * <p><b>The clock rule.</b> The broker must take "now" from {@link BrokerContext#clock()} and nothing else —
 * not the database's {@code now()}, not Redis' {@code TIME}, not {@link System#currentTimeMillis()}. The
 * suite's clock (a {@link dev.conveyor.testing.SettableClock}, at the real time the test started, in whole
 * milliseconds) stands still until a test advances it: that is how lease expiry, delays, retries and
 * unique-key holds are tested without sleeping. Workers the tests start run on the same clock. Only
 * {@code awaitWork}, {@code awaitFinished} and worker polling use real time, as their contracts say.
 *
 * <p>The tests are grouped by area in nested classes, each defined in its own file: enqueue and fetch,
 * scheduling order, leases, failures and the dead set, unique keys, inspection, wake-up, worker scenarios,
 * results, corrupt records and a four-worker load test.
 */
public abstract class BrokerConformanceTest {
    private final Harness harness = new Harness(this::openBroker, this::cleanUp);

    /**
     * Opens the broker under test. Called before every test with a context holding the suite's clock; the
     * suite closes the broker after the test.
     */
    protected abstract Broker openBroker(BrokerContext context);

    /** Runs after each test, once the broker is closed (drop a schema, flush a database). Does nothing by default. */
    protected void cleanUp() {}

    @BeforeEach
    final void openBrokerUnderTest() {
        harness.open();
    }

    @AfterEach
    final void closeBrokerUnderTest() throws Exception {
        harness.close();
    }

    @Nested
    @DisplayName("enqueue, fetch and ack")
    class EnqueueAndFetch extends EnqueueFetchSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("delays and fetch order")
    class Scheduling extends SchedulingSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("fairness keys")
    class Fairness extends FairnessSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("priority aging")
    class Aging extends AgingSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("leases and fencing")
    class Leases extends LeaseSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("retry, bury and the dead set")
    class Failures extends FailureSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("unique keys")
    class UniqueKeys extends UniqueKeySuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("job store")
    class Inspection extends InspectionSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("shared state")
    class State extends StateSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("cron schedules")
    class Schedules extends ScheduleSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("cancellation and progress")
    class Cancellation extends CancellationSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("rate and concurrency limits")
    class Limits extends LimitSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("workflows: chain, group, chord")
    class WorkflowTests extends WorkflowSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("awaitWork")
    class WakeUp extends WakeUpSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("worker on the broker")
    class Workers extends WorkerSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("results across Conveyor instances")
    class Results extends ResultsSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("corrupt records")
    class CorruptRecords extends CorruptRecordSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("retention")
    class RetentionTests extends RetentionSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("four workers, ten thousand jobs")
    class Load extends LoadSuite {
        @Override
        Harness harness() {
            return harness;
        }
    }
}
