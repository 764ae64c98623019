package dev.conveyor.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.web.auth.Credentials;
import dev.conveyor.web.auth.Guard;
import dev.conveyor.web.auth.SecurityHeaders;
import dev.conveyor.web.auth.Sessions;
import dev.conveyor.web.view.ErrorView;
import dev.conveyor.web.view.LoginView;
import dev.conveyor.web.view.Page;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the dashboard on Javalin: virtual threads, the module's static files, the {@link Guard} before every
 * request, the pages, the API, and one place that turns every failure into a status with a page or JSON.
 */
final class DashboardServer {
    private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);

    private DashboardServer() {}

    static Javalin create(Backend backend, Credentials credentials, AuditLog audit, ObjectMapper mapper,
                          java.util.function.Consumer<RoutesConfig> extraRoutes) {
        Sessions sessions = new Sessions(backend.clock());
        Guard guard = new Guard(credentials, sessions);
        Throughput throughput = new Throughput(backend.store(), backend.clock());
        Notices notices = new Notices();
        Actions actions = new Actions(backend, audit);
        ApiRoutes api = new ApiRoutes(backend, actions, audit, throughput, mapper, notices);
        PageRoutes pages = new PageRoutes(backend, throughput, audit, mapper, notices);
        LoginRoutes login = new LoginRoutes(credentials, sessions);
        return Javalin.create(cfg -> {
            cfg.concurrency.useVirtualThreads = true;
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.maxRequestSize = 64 * 1024; // forms and small JSON bodies only
            cfg.staticFiles.add(s -> {
                s.hostedPath = "/static";
                s.directory = "/dev/conveyor/web/static";
                s.location = Location.CLASSPATH;
            });
            RoutesConfig r = cfg.routes;
            r.before(DashboardServer::readBody);
            r.before(guard::check);
            login.register(r);
            pages.register(r);
            api.register(r);
            extraRoutes.accept(r);
            r.exception(Guard.Denied.class, (e, ctx) -> problem(ctx, e.status(), e.getMessage(), api));
            r.exception(HttpProblem.class, (e, ctx) -> problem(ctx, e.status(), e.getMessage(), api));
            r.exception(IllegalArgumentException.class, (e, ctx) -> problem(ctx, 400, e.getMessage(), api));
            r.exception(UnsupportedOperationException.class, (e, ctx) -> problem(ctx, 501, e.getMessage(), api));
            r.exception(Exception.class, (e, ctx) -> {
                log.error("dashboard request {} {} failed", ctx.method(), ctx.path(), e);
                problem(ctx, 500, "internal error (see the dashboard's log)", api);
            });
            r.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty()) problem(ctx, 404, "not found", api);
            });
        });
    }

    /**
     * Reads a request's body (at most {@code maxRequestSize}) before anything answers it, the guard included. Jetty
     * closes a keep-alive connection whose request content was left unread and had not fully arrived yet (it cannot
     * wait for it), so a route that needs no body (an action, a refused login) cost the client its connection, and
     * a request it had already sent on it got no answer (KeepAliveTest).
     */
    private static void readBody(Context ctx) {
        String method = ctx.req().getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) ctx.bodyAsBytes();
    }

    /** Ends a request with {@code status}: JSON for API calls, else a page (the login form for 401). */
    private static void problem(Context ctx, int status, String message, ApiRoutes api) {
        SecurityHeaders.apply(ctx);
        ctx.status(status);
        boolean apiCall = ctx.path().startsWith("/api/") && !Req.isForm(ctx);
        if (status == 401) ctx.header("WWW-Authenticate", "Bearer realm=\"conveyor\"");
        if (apiCall) {
            api.json(ctx, Map.of("error", message == null ? "error" : message));
        } else if (status == 401) {
            ctx.html(Page.render("Log in", null, null, null, null, LoginView.render(null)));
        } else {
            ctx.html(Page.render(ErrorView.title(status), null, Req.principal(ctx), Req.csrf(ctx), null,
                    ErrorView.render(status, message)));
        }
    }
}
