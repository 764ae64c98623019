package dev.conveyor.web;

import dev.conveyor.web.auth.Credentials;
import dev.conveyor.web.auth.Guard;
import dev.conveyor.web.auth.Principal;
import dev.conveyor.web.auth.Sessions;
import dev.conveyor.web.view.LoginView;
import dev.conveyor.web.view.Page;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import java.util.Optional;

/**
 * Login and logout. A login with a token or a user and password starts a session: an HttpOnly, SameSite=Strict
 * cookie (never readable by scripts, never sent by other sites' requests). Failed logins are logged (not in the
 * audit of actions) and answered 401 after a short fixed pause, which slows guessing.
 */
final class LoginRoutes {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AuditLog.LOGGER);
    private final Credentials credentials;
    private final Sessions sessions;

    LoginRoutes(Credentials credentials, Sessions sessions) {
        this.credentials = credentials;
        this.sessions = sessions;
    }

    void register(RoutesConfig r) {
        r.get("/login", ctx -> {
            if (sessions.find(ctx.cookie(Guard.COOKIE)).isPresent()) {
                ctx.redirect("/", HttpStatus.SEE_OTHER);
                return;
            }
            ctx.html(Page.render("Log in", null, null, null, null, LoginView.render(null)));
        });
        r.post("/login", this::login);
        r.post("/logout", ctx -> {
            Sessions.Session s = ctx.attribute(Guard.SESSION);
            if (s != null) sessions.end(s.id());
            ctx.removeCookie(Guard.COOKIE, "/");
            ctx.redirect("/login", HttpStatus.SEE_OTHER);
        });
    }

    private void login(Context ctx) throws InterruptedException {
        String token = ctx.formParam("token");
        String user = ctx.formParam("username");
        Optional<Principal> who = token != null && !token.isBlank() ? credentials.byToken(token.trim())
                : credentials.byPassword(user, ctx.formParam("password"));
        if (who.isEmpty()) {
            log.warn("failed login from {}{}", ctx.ip(), user == null || user.isBlank() ? "" : " as user '" + user.replaceAll("[^\\x20-\\x7e]", "?") + "'");
            Thread.sleep(300); // a virtual thread: the pause costs no platform thread
            ctx.status(401).html(Page.render("Log in", null, null, null, null, LoginView.render("Wrong token, user or password.")));
            return;
        }
        Sessions.Session s = sessions.start(who.get());
        log.info("login: user={} role={} ip={}", who.get().name(), who.get().role().label(), ctx.ip());
        Cookie cookie = new Cookie(Guard.COOKIE, s.id(), "/", -1, false, true, null, SameSite.STRICT);
        ctx.cookie(cookie);
        ctx.redirect("/", HttpStatus.SEE_OTHER);
    }
}
