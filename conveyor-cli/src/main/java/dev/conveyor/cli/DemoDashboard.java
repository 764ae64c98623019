package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import dev.conveyor.WorkerOptions;
import dev.conveyor.broker.Brokers;
import dev.conveyor.web.ConveyorDashboard;
import dev.conveyor.worker.Worker;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code conveyor demo --dashboard}: the demo's worker and workload with the dashboard up, so a newcomer watches
 * the system work in a browser. The producer runs the demo's plan again and again (quick, slow, flaky and poison
 * jobs, so the dead-letter page has something to re-drive) until Ctrl-C; then the worker stops gracefully.
 */
final class DemoDashboard {
    private final Conveyor conveyor;
    private final DemoTasks tasks;
    private final int jobsPerRound;
    private final PrintWriter out;

    DemoDashboard(Conveyor conveyor, DemoTasks tasks, int jobsPerRound, PrintWriter out) {
        this.conveyor = conveyor;
        this.tasks = tasks;
        this.jobsPerRound = jobsPerRound;
        this.out = out;
    }

    int run(String url, boolean fresh, DashboardOptions options) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        Signals signals = Signals.install(stop::countDown);
        Worker worker = conveyor.startWorker(WorkerOptions.defaults().queues(DemoTasks.QUEUES).concurrency(200)
                .pollInterval(Duration.ofMillis(100)).shutdownGrace(Duration.ofSeconds(5)).shutdownOnSigterm(signals == null));
        if (signals == null) Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        Thread producer = Thread.ofPlatform().name("demo-producer").daemon().start(() -> produce(stop));
        try (ConveyorDashboard d = options.start(conveyor)) {
            out.println("Conveyor demo with the dashboard, on " + Brokers.redact(url) + (fresh ? " (recreated for this run)" : "") + ".");
            out.println(DashboardOptions.banner(d));
            out.println("A worker runs queues " + DemoTasks.QUEUES + "; new demo jobs arrive every few seconds. Stop with Ctrl-C.");
            out.flush();
            try {
                stop.await();
            } catch (InterruptedException e) {
                // Interrupting the command's thread is a stop request too (a program or test running it in a
                // thread): consumed here so the shutdown below (joins, the worker's grace) runs in full; exit 0.
            }
        } finally {
            stop.countDown();
            producer.join(2000);
            options.stop();
            worker.shutdown(Duration.ofSeconds(5));
            if (signals != null) signals.close();
        }
        out.println("Demo stopped.");
        out.flush();
        return ExitCodes.OK;
    }

    /** Runs the demo's plan round after round until {@code stop}; a round under way then ends too. */
    private void produce(CountDownLatch stop) {
        Thread t = null;
        try {
            while (stop.getCount() > 0) {
                DemoProducer round = new DemoProducer(conveyor, tasks, DemoProducer.Plan.of(jobsPerRound, false));
                t = Thread.ofPlatform().name("demo-round").daemon().start(round);
                while (t.isAlive() && !stop.await(200, TimeUnit.MILLISECONDS)) {
                    // waiting for the round's last enqueue
                }
                if (round.failure() != null) {
                    out.println("The producer stopped: " + Errors.message(round.failure()));
                    out.flush();
                    return;
                }
                stop.await(2, TimeUnit.SECONDS); // a breath between rounds: the chart shows the waves
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // Stopped mid-round (a round lasts 18 s): end the round as well, or it would go on enqueueing into a
            // broker that is being closed, on a thread that outlives the command.
            if (t != null && t.isAlive()) {
                t.interrupt();
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
