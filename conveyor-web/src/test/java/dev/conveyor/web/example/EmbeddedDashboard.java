package dev.conveyor.web.example;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.web.ConveyorDashboard;
import java.nio.file.Path;

/**
 * A runnable example: an application that runs a worker and embeds the dashboard in its own process.
 *
 * Run {@code main} from your IDE (it is in conveyor-web's test sources; {@code EmbeddedDashboardTest} runs it in
 * the build). Open the printed URL and log in with the printed token.
 */
public final class EmbeddedDashboard {
    record Email(String to, String password) {}

    static final Task<Email, Void> SEND = Task.named("email.send", Email.class)
            .sensitive("password")                             // shown as *** in the dashboard and the API
            .action(e -> Thread.sleep(50));

    /** Starts a Conveyor with a worker and the dashboard on {@code port} (0 = any free port). */
    public static ConveyorDashboard start(Conveyor conveyor, int port) {
        return ConveyorDashboard.builder()
                .conveyor(conveyor)                            // its broker and clock
                .port(port)                                    // bound to 127.0.0.1 unless .host(...) says otherwise
                .token(System.getenv("CONVEYOR_DASHBOARD_TOKEN"))   // unset and no other login: a random token
                // .user("viewer", "viewer-password", Role.VIEWER)      // read-only users and tokens, as many as you like
                .auditFile(Path.of("conveyor-audit.jsonl"))    // operator actions as JSON lines (also logged)
                .start();
    }

    public static void main(String[] args) throws InterruptedException {
        try (Conveyor conveyor = Conveyor.builder().broker("memory:").task(SEND).build()) {
            conveyor.startWorker(WorkerOptions.defaults());
            for (int i = 0; i < 100; i++) conveyor.enqueue(SEND, new Email("user" + i + "@example.com", "s3cret"));
            try (ConveyorDashboard dashboard = start(conveyor, ConveyorDashboard.DEFAULT_PORT)) {
                System.out.println("Dashboard at " + dashboard.url()
                        + (dashboard.token() == null ? "" : " — token " + dashboard.token()));
                Thread.currentThread().join();                 // until Ctrl-C
            }
        }
    }
}
