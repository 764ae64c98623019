package dev.conveyor.redis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A three-master Redis Cluster of the test's own: three redis-server child processes on free loopback ports in
 * a temporary directory, joined with {@code redis-cli --cluster create}, ready once every node reports
 * {@code cluster_state:ok}. Closing kills the servers and deletes the directory.
 */
final class PrivateCluster implements AutoCloseable {
    private final Path dir;
    private final List<RedisProcess> nodes = new ArrayList<>();

    PrivateCluster() throws Exception {
        dir = Files.createTempDirectory("conveyor-redis-cluster-");
        try {
            for (int i = 0; i < 3; i++) {
                int port = RedisProcess.freePort();
                RedisProcess node = new RedisProcess(dir.resolve("node-" + port), port, List.of("--cluster-enabled", "yes",
                        "--cluster-config-file", dir.resolve("node-" + port + ".conf").toString(),
                        "--appendonly", "no", "--cluster-node-timeout", "5000"));
                nodes.add(node);
                node.start();
            }
            List<String> create = new ArrayList<>(List.of(RedisProcess.binary("redis-cli"), "--cluster", "create"));
            for (RedisProcess n : nodes) create.add("127.0.0.1:" + n.port());
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            RedisProcess.run(create);
            awaitClusterOk();
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    private void awaitClusterOk() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (RedisProcess n : nodes) {
            while (true) {
                String info = RedisProcess.run(List.of(RedisProcess.binary("redis-cli"), "-p", Integer.toString(n.port()),
                        "cluster", "info"));
                if (info.contains("cluster_state:ok")) break;
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cluster not ok after 30 s on port " + n.port() + ":\n" + info);
                }
                Thread.sleep(50);
            }
        }
    }

    List<Integer> ports() {
        return nodes.stream().map(RedisProcess::port).toList();
    }

    String url(String options) {
        StringBuilder b = new StringBuilder("redis-cluster://");
        for (int i = 0; i < nodes.size(); i++) b.append(i == 0 ? "" : ",").append("127.0.0.1:").append(nodes.get(i).port());
        return b.append("/?").append(options).toString();
    }

    @Override
    public void close() throws Exception {
        for (RedisProcess n : nodes) n.kill();
        RedisProcess.deleteTree(dir);
    }
}
