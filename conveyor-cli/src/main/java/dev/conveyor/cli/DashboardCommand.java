package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import dev.conveyor.broker.Brokers;
import dev.conveyor.web.ConveyorDashboard;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code conveyor dashboard}: the web dashboard and REST API on a broker, until Ctrl-C. */
@Command(name = "dashboard", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Serves the web dashboard and its REST API (/api) for a broker, until Ctrl-C or SIGTERM.",
            "",
            "Queues with depth, rate and the age of the oldest ready job, a live throughput chart, jobs by state with "
                    + "search, each job's args, attempts and stack traces, dead letters with re-drive, schedules, live "
                    + "workers, queue pause. It binds to 127.0.0.1 and needs a login; see docs/DASHBOARD.md."
        },
        footer = {"", "Examples:", "  conveyor dashboard --broker postgresql://localhost/app",
            "  CONVEYOR_DASHBOARD_TOKEN=... conveyor dashboard --port 8080 --audit-file audit.jsonl"})
final class DashboardCommand extends BrokerCommand {
    @Mixin
    DashboardOptions dashboard;

    @Override
    protected int run() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        try (Conveyor conveyor = open()) {
            store(conveyor); // a clear message for a broker without inspection
            try (ConveyorDashboard d = dashboard.start(conveyor)) {
                    out().println("Conveyor dashboard for " + Brokers.redact(brokerUrl()) + ".");
                out().println(DashboardOptions.banner(d));
                out().println("Stop it with Ctrl-C.");
                out().flush();
                if (dashboard.metrics) out().println("Prometheus metrics at " + d.url() + "metrics (same token).");
                awaitStop(stop);
            } finally {
                dashboard.stop();
            }
        }
        out().println("Dashboard stopped.");
        return ExitCodes.OK;
    }

    /**
     * Blocks until SIGINT or SIGTERM (or, where signals cannot be caught, until the JVM stops), or until the
     * calling thread is interrupted: that is a stop request too (a program or test running the command in its
     * own thread), so the command shuts down as on Ctrl-C and exits 0 rather than failing with the interrupt.
     */
    static void awaitStop(CountDownLatch stop) {
        Signals signals = Signals.install(stop::countDown);
        if (signals == null) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        }
        try {
            stop.await();
        } catch (InterruptedException e) {
            // A stop request; consumed here so that the shutdown after it (joins, the worker's grace) runs in full.
        } finally {
            if (signals != null) signals.close();
        }
    }
}
