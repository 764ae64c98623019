package dev.conveyor.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.testkit.servers.PrivateRedis;
import dev.conveyor.testkit.servers.PrivateServer;
import io.lettuce.core.RedisClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The smoke run of {@code bench/run redis-cost}: it measures something for every phase, and refuses a shared server. */
class RedisCostTest {

    @Test
    void measuresEachPhaseOnAServerOfItsOwnAndRefusesOneThatHoldsData() throws Exception {
        try (PrivateRedis redis = PrivateServer.started(new PrivateRedis())) {
            String url = "redis://127.0.0.1:" + redis.port();
            Map<String, double[]> perJob = RedisCost.measure(new String[] {"--url", url, "--jobs", "2000", "--rounds", "2",
                    "--fetch-batch", "100"});
            assertThat(perJob).containsOnlyKeys("enqueue", "fetch", "ack");
            // scripts ran in every phase: each job cost some script time and a share of a command
            perJob.forEach((phase, v) -> {
                assertThat(v[1]).as(phase + " script µs per job").isPositive();
                assertThat(v[2]).as(phase + " commands per job").isPositive();
            });

            RedisClient client = RedisClient.create(url);
            try (var c = client.connect()) {
                c.sync().set("someone-else", "x");
            } finally {
                client.shutdown();
            }
            assertThatThrownBy(() -> RedisCost.measure(new String[] {"--url", url, "--jobs", "10", "--rounds", "2"}))
                    .hasMessageContaining("holds 1 keys").hasMessageContaining("nothing was changed");
        }
    }
}
