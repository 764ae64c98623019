/**
 * The Redis broker: {@code redis://}, {@code rediss://}, {@code redis-cluster://} and {@code rediss-cluster://}
 * URLs, on one server or Redis Cluster, through Lettuce.
 * <ul>
 *   <li>{@link dev.conveyor.redis.RedisBrokerProvider} opens brokers by URL ({@link dev.conveyor.redis.RedisUrl});</li>
 *   <li>{@link dev.conveyor.redis.RedisBroker} is the broker and job store; it delegates to the package's
 *       {@code RedisEnqueue}, {@code RedisFetcher}, {@code RedisSettler} and {@code RedisInspection}, which call
 *       the Lua scripts in {@code dev/conveyor/redis/lua/} through {@code RedisConnection};</li>
 *   <li>{@code WakeSignals} turns the pub/sub wake-ups into waits; {@code DurabilityCheck} warns about
 *       persistence settings that can lose jobs; {@code JobHashes} reads job hashes as untrusted input.</li>
 * </ul>
 * The key layout is in {@code docs/PROTOCOL.md} ("Redis key layout"); operations in {@code docs/REDIS.md}.
 */
package dev.conveyor.redis;
