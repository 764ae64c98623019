package dev.conveyor;

/**
 * What {@code conveyor worker --app com.example.Jobs} loads: one class with a public no-argument constructor
 * that registers the app's tasks (and, optionally, its broker, clock and middleware).
 *
 * <pre>{@code
 * public final class Jobs implements ConveyorApp {
 *     public void configure(Conveyor.Builder b) {
 *         b.task(Tasks.SEND_REPORT).task(Tasks.RESIZE);
 *     }
 * }
 * }</pre>
 * The broker given with {@code --broker} or {@code CONVEYOR_BROKER} wins over one set here.
 */
@FunctionalInterface
public interface ConveyorApp {
    void configure(Conveyor.Builder builder);
}
