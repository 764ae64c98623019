/** The Redis broker: {@code redis://} and {@code rediss://} URLs, standalone or Redis Cluster. */
package dev.conveyor.redis;
