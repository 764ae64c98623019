package dev.conveyor.broker;

import java.util.Set;

/**
 * Opens brokers for URL schemes. Registered with {@link java.util.ServiceLoader} (a line in
 * {@code META-INF/services/dev.conveyor.broker.BrokerProvider}), so core never depends on a broker module:
 * putting {@code conveyor-redis} on the classpath is what makes {@code redis://} work.
 */
public interface BrokerProvider {
    /** URL schemes this provider opens, lower case, without the colon (e.g. {@code memory}, {@code sqlite}). */
    Set<String> schemes();

    /**
     * Opens a broker for {@code url}. Throws {@link IllegalArgumentException} for a malformed URL (naming the
     * part that is wrong) and {@link BrokerException} when the broker cannot be reached.
     */
    Broker open(String url, BrokerContext context);
}
