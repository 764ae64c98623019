package dev.conveyor.jdbc;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import java.io.PrintStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The process {@link SqliteDurabilityTest} kills: enqueues jobs without pause and runs a worker on them at the
 * same time. It prints {@code ENQ <id>} once an enqueue is acknowledged (committed) and {@code START <id>}
 * when a handler begins, each line flushed at once so the parent sees exactly what happened before the kill.
 */
public final class DurabilityChild {
    record Work(int n) {}

    static final String TASK = "durability.work";

    public static void main(String[] args) throws Exception {
        String url = args[0];
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        Task<Work, Void> work = Task.named(TASK, Work.class).action((a, ctx) -> {
            synchronized (out) {
                out.println("START " + ctx.jobId());
            }
            Thread.sleep(ThreadLocalRandom.current().nextInt(1, 15));
        });
        Conveyor conveyor = Conveyor.builder().broker(url).task(work).build();
        conveyor.startWorker(WorkerOptions.defaults().concurrency(16).leaseDuration(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(20)).shutdownOnSigterm(false));
        for (int n = 0; ; n++) {
            // Mostly single enqueues, sometimes a batch: both paths must be durable once acknowledged.
            if (n % 10 == 0) {
                var handles = conveyor.enqueueAll(work, List.of(new Work(n), new Work(n), new Work(n)));
                synchronized (out) {
                    handles.forEach(h -> out.println("ENQ " + h.id()));
                }
            } else {
                String id = conveyor.enqueue(work, new Work(n)).id();
                synchronized (out) {
                    out.println("ENQ " + id);
                }
            }
        }
    }
}
