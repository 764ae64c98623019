package dev.conveyor.broker.memory;

import dev.conveyor.broker.Broker;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.BrokerProvider;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Opens {@code memory:} brokers. {@code memory:} alone is a new private broker; {@code memory:NAME} is shared
 * by everything in this JVM that opens the same name (two {@code Conveyor} instances, a producer and a
 * worker), until the last of them closes it. A shared broker keeps the clock of its first opener.
 */
public final class MemoryBrokerProvider implements BrokerProvider {
    private static final Map<String, Shared> SHARED = new HashMap<>();

    private static final class Shared {
        MemoryBroker broker;
        int users;
    }

    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public Broker open(String url, BrokerContext context) {
        String name = url.substring(url.indexOf(':') + 1);
        if (name.startsWith("//")) name = name.substring(2);
        if (name.isEmpty()) return new MemoryBroker(context);
        if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("memory broker name must match [A-Za-z0-9_.-]{1,64}, was '" + name + "'");
        }
        synchronized (SHARED) {
            Shared s = SHARED.get(name);
            if (s == null) {
                s = new Shared();
                final String key = name;
                s.broker = new MemoryBroker(context, () -> closeShared(key));
                SHARED.put(name, s);
            }
            s.users++;
            return s.broker;
        }
    }

    private static void closeShared(String name) {
        synchronized (SHARED) {
            Shared s = SHARED.get(name);
            if (s != null && --s.users <= 0) SHARED.remove(name);
        }
    }
}
