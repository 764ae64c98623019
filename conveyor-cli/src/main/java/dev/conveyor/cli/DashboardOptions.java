package dev.conveyor.cli;

import dev.conveyor.Conveyor;
import dev.conveyor.web.ConveyorDashboard;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The dashboard's options, shared by {@code conveyor dashboard} and {@code conveyor demo --dashboard}. */
final class DashboardOptions {
    /** The environment variable read when {@code --token} is not given. */
    static final String TOKEN_ENV = "CONVEYOR_DASHBOARD_TOKEN";

    @Option(names = "--host", paramLabel = "HOST", defaultValue = ConveyorDashboard.DEFAULT_HOST,
            description = "Address to bind (default: ${DEFAULT-VALUE}, this machine only). 0.0.0.0 opens it to the "
                    + "network: put TLS in front of it.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + ConveyorDashboard.DEFAULT_PORT,
            description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Operator token (at least 16 characters) for the login page and `Authorization: Bearer`. "
                    + "Default: $" + TOKEN_ENV + ", else a random one printed at start.")
    String token;

    @Option(names = "--viewer-token", paramLabel = "TOKEN", description = "A read-only token as well.")
    String viewerToken;

    @Option(names = "--audit-file", paramLabel = "FILE",
            description = "Append every operator action to FILE as JSON lines (always also logged).")
    Path auditFile;

    /** Starts a dashboard on {@code conveyor}'s broker. */
    ConveyorDashboard start(Conveyor conveyor) {
        String t = token != null ? token : BrokerOptions.environment.apply(TOKEN_ENV);
        try {
            return ConveyorDashboard.builder().conveyor(conveyor).host(host).port(port)
                    .token(t == null || t.isBlank() ? null : t.trim()).viewerToken(viewerToken).auditFile(auditFile).start();
        } catch (IllegalArgumentException e) {
            throw CliException.usage(Errors.message(e));
        } catch (RuntimeException e) {
            throw CliException.failure("cannot start the dashboard on " + host + ":" + port + ": " + Errors.message(e));
        }
    }

    /** The lines telling where the dashboard is and how to log in. */
    static String banner(ConveyorDashboard d) {
        return "Dashboard at " + d.url() + "\n" + (d.token() != null
                ? "Log in with the token " + d.token() + "\n  (generated for this run; set --token or $" + TOKEN_ENV + " to choose one)"
                : "Log in with the configured token.");
    }
}
