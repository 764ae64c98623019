package dev.conveyor.jdbc;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import java.time.Duration;

/**
 * A worker process for {@link SigtermShutdownTest}: runs jobs that take {@code n} milliseconds (sleeping, so
 * an interrupt ends them) until the JVM is told to stop, and relies on the worker's own shutdown hook.
 */
public final class SigtermChild {
    record Sleep(long millis) {}

    static final String TASK = "sigterm.sleep";

    public static void main(String[] args) throws Exception {
        Task<Sleep, Void> sleep = Task.named(TASK, Sleep.class).action(a -> Thread.sleep(a.millis()));
        Conveyor conveyor = Conveyor.builder().broker(args[0]).task(sleep).build();
        conveyor.startWorker(WorkerOptions.defaults().shutdownGrace(Duration.ofMillis(Long.parseLong(args[1])))
                .pollInterval(Duration.ofMillis(20)));
        System.out.println("READY");
        Thread.sleep(Long.MAX_VALUE);
    }
}
