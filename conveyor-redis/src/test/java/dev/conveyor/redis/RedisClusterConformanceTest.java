package dev.conveyor.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Brokers;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobIds;
import dev.conveyor.testing.SettableClock;
import dev.conveyor.testkit.BrokerConformanceTest;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis broker on a three-master Redis Cluster the test starts itself: the whole conformance suite, plus a
 * check that queues really live on different masters and that a fetch over them still takes the best jobs of
 * all of them.
 */
class RedisClusterConformanceTest extends BrokerConformanceTest {
    static PrivateCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new PrivateCluster();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) cluster.close();
    }

    @Override
    protected Broker openBroker(BrokerContext context) {
        return Brokers.open(cluster.url("prefix=cc"), context);
    }

    @Test
    void queuesLandOnDifferentMastersAndAFetchOverThemTakesTheBestOfAll() {
        SettableClock clock = SettableClock.startingNow();
        List<String> queues = new ArrayList<>();
        for (int i = 0; i < 6; i++) queues.add("spread-" + i);
        Map<String, String> masterOf = new HashMap<>();
        RedisClusterClient client = RedisClusterClient.create(RedisURI.create("127.0.0.1", cluster.ports().get(0)));
        try (StatefulRedisClusterConnection<String, String> c = client.connect()) {
            for (String q : queues) {
                int slot = SlotHash.getSlot(new RedisKeys("spread").ready(q));
                masterOf.put(q, c.getPartitions().getPartitionBySlot(slot).getNodeId());
            }
        } finally {
            client.shutdown();
        }
        Set<String> masters = new HashSet<>(masterOf.values());
        assertThat(masters).as("masters holding the 6 queues").hasSizeGreaterThanOrEqualTo(2);

        try (Broker broker = Brokers.open(cluster.url("prefix=spread"), new BrokerContext(clock))) {
            Instant t = clock.instant();
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < queues.size(); i++) {
                // Queue i gets priority i: a fetch of 3 over all queues must take those of queues 5, 4 and 3.
                jobs.add(new Job(JobIds.next(clock), "t", queues.get(i), "{}", Map.of(), i, 0, 0, 3, 3, t, t, null,
                        null, null, null, null, null));
            }
            broker.enqueue(jobs);
            List<LeasedJob> top = broker.fetch(queues, 3, Duration.ofSeconds(30));
            assertThat(top).extracting(l -> l.job().queue()).containsExactly(queues.get(5), queues.get(4), queues.get(3));
            List<LeasedJob> rest = broker.fetch(queues, 10, Duration.ofSeconds(30));
            assertThat(rest).extracting(l -> l.job().queue()).containsExactly(queues.get(2), queues.get(1), queues.get(0));
        }
    }
}
