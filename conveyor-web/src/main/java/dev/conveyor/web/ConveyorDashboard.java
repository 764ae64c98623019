package dev.conveyor.web;

import dev.conveyor.Conveyor;
import dev.conveyor.broker.Broker;
import dev.conveyor.web.auth.Credentials;
import dev.conveyor.web.auth.Role;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Conveyor dashboard and its REST API, embeddable in any application (or run by {@code conveyor dashboard}).
 * It reads and acts on jobs only through the broker SPI, so it works with every broker.
 *
 * <pre>{@code
 * try (Conveyor conveyor = Conveyor.builder().broker("postgresql://localhost/app").build();
 *      ConveyorDashboard dashboard = ConveyorDashboard.builder()
 *              .conveyor(conveyor)
 *              .port(7077)                                   // 127.0.0.1 unless host(...) says otherwise
 *              .token(System.getenv("CONVEYOR_DASHBOARD_TOKEN"))   // operator; or user(...), viewerToken(...)
 *              .auditFile(Path.of("conveyor-audit.jsonl"))
 *              .start()) {
 *     System.out.println("Dashboard at " + dashboard.url());
 *     ...
 * }
 * }</pre>
 *
 * <p>Safe by default: it binds to {@code 127.0.0.1}; every page and API call needs a login (a bearer token, or a
 * session from the login page); with no credentials configured it makes a random operator token and logs it once
 * ({@link #token()}). Viewers read; operators also act, and each action goes to the audit log ({@link AuditLog}).
 * Forms carry a CSRF token; every response has a strict Content-Security-Policy; all job data is escaped; fields a
 * task marks {@code sensitive} are masked. See {@code docs/DASHBOARD.md}.
 */
public final class ConveyorDashboard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConveyorDashboard.class);
    /** The address bound unless {@link Builder#host} says otherwise: this machine only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The port used unless {@link Builder#port} says otherwise. */
    public static final int DEFAULT_PORT = 7077;

    private final Javalin app;
    private final String host;
    private final String token;

    private ConveyorDashboard(Javalin app, String host, String token) {
        this.app = app;
        this.host = host;
        this.token = token;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port it listens on (the real one when 0 was asked for). */
    public int port() {
        return app.port();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:7077/}. */
    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + ("0.0.0.0".equals(host) || "::".equals(host) ? "127.0.0.1" : h) + ":" + port() + "/";
    }

    /** The token generated at start because no credentials were configured, or null when some were. */
    public String token() {
        return token;
    }

    /** Stops the server. The broker stays open: it belongs to the caller. */
    @Override
    public void close() {
        app.stop();
    }

    /** Configures and starts a dashboard. */
    public static final class Builder {
        private Broker broker;
        private Clock clock = Clock.systemUTC();
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private final Credentials.Builder credentials = Credentials.builder();
        private boolean anyCredentials;
        private Path auditFile;
        private Consumer<RoutesConfig> extraRoutes = r -> {};

        private Builder() {}

        /** The broker to show (required, unless {@link #conveyor} is given). It must keep job state (INSPECTION). */
        public Builder broker(Broker broker) {
            this.broker = Objects.requireNonNull(broker, "broker");
            return this;
        }

        /** Shows this Conveyor's broker, on its clock. */
        public Builder conveyor(Conveyor conveyor) {
            this.broker = conveyor.broker();
            this.clock = conveyor.clock();
            return this;
        }

        /** The clock for relative times and the audit log. Defaults to the system clock (UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The address to bind. Defaults to {@value #DEFAULT_HOST}; {@code 0.0.0.0} opens it to the network (then
         * put TLS in front of it: sessions and tokens travel in clear HTTP otherwise).
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port; 0 picks a free one. Defaults to {@value #DEFAULT_PORT}. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0-65535, was " + port);
            this.port = port;
            return this;
        }

        /** A bearer token (at least 16 characters) with the operator role. Null is ignored (handy with getenv). */
        public Builder token(String token) {
            return token == null ? this : token("operator", token, Role.OPERATOR);
        }

        /** A bearer token with the read-only role. Null is ignored. */
        public Builder viewerToken(String token) {
            return token == null ? this : token("viewer", token, Role.VIEWER);
        }

        /** A named token with a role; {@code label} shows in the audit log as {@code token:<label>}. */
        public Builder token(String label, String token, Role role) {
            credentials.token(label, token, role);
            anyCredentials = true;
            return this;
        }

        /** A user who logs in with a password (at least 8 characters) on the login page. */
        public Builder user(String name, String password, Role role) {
            credentials.user(name, password, role);
            anyCredentials = true;
            return this;
        }

        /** Also append every operator action as a JSON line to this file. Defaults to the logger only. */
        public Builder auditFile(Path file) {
            this.auditFile = file;
            return this;
        }

        /** Adds routes of your own (behind the same login), e.g. {@code r -> r.get("/metrics", ...)}. */
        public Builder routes(Consumer<RoutesConfig> routes) {
            this.extraRoutes = Objects.requireNonNull(routes, "routes");
            return this;
        }

        /** Starts the server; throws if the port is taken or the broker keeps no job state. */
        public ConveyorDashboard start() {
            if (broker == null) throw new IllegalStateException("a dashboard needs a broker: call broker(...) or conveyor(...)");
            Backend backend = Backend.of(broker, clock);
            String generated = null;
            if (!anyCredentials) {
                generated = Credentials.randomToken();
                credentials.token("generated", generated, Role.OPERATOR);
            }
            var mapper = ApiJson.mapper();
            AuditLog audit = new AuditLog(clock, auditFile, mapper);
            Javalin app = DashboardServer.create(backend, credentials.build(), audit, mapper, extraRoutes);
            app.start(host, port);
            if (!isLoopback(host)) {
                log.warn("the dashboard listens on {} (not loopback): anyone who can reach it sees the login page; "
                        + "use TLS in front of it", host);
            }
            ConveyorDashboard d = new ConveyorDashboard(app, host, generated);
            if (generated != null) log.info("dashboard at {} — no credentials configured, generated operator token: {}", d.url(), generated);
            else log.info("dashboard at {}", d.url());
            return d;
        }

        private static boolean isLoopback(String host) {
            try {
                return InetAddress.getByName(host).isLoopbackAddress();
            } catch (Exception e) {
                return false;
            }
        }
    }
}
