package dev.conveyor.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * Catches SIGTERM and SIGINT (Ctrl-C) so a command can shut down in its own time and exit with its own code
 * (a JVM stopped by a signal exits 143 or 130 even after a clean shutdown). Uses {@code sun.misc.Signal}
 * (module jdk.unsupported) through reflection; where that is unavailable, {@link #install} returns null and
 * the caller falls back to a shutdown hook.
 */
final class Signals implements AutoCloseable {
    private final List<Object[]> previous = new ArrayList<>(); // {Signal, previous SignalHandler}
    private final Method handle;

    private Signals(Method handle) {
        this.handle = handle;
    }

    /**
     * Runs {@code onSignal} (on a JVM signal thread) for each SIGTERM or SIGINT until closed; null when SIGTERM
     * cannot be caught (then nothing is installed).
     */
    static Signals install(Runnable onSignal) {
        try {
            Class<?> signalType = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Method handle = signalType.getMethod("handle", signalType, handlerType);
            Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerType},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            onSignal.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "Signals.handler";
                    });
            Signals s = new Signals(handle);
            for (String name : List.of("TERM", "INT")) {
                try {
                    Object signal = signalType.getConstructor(String.class).newInstance(name);
                    s.previous.add(new Object[] {signal, handle.invoke(null, signal, handler)});
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // e.g. SIGINT ignored (a background job) or taken (-Xrs): do without it
                    if (name.equals("TERM")) return null;
                }
            }
            return s;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Puts the previous handlers back. */
    @Override
    public void close() {
        for (Object[] p : previous) {
            try {
                handle.invoke(null, p[0], p[1]);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // nothing to restore to
            }
        }
        previous.clear();
    }
}
