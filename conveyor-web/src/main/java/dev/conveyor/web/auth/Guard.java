package dev.conveyor.web.auth;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Runs before every request: sets the security headers, then decides who is asking and whether they may.
 * <ol>
 *   <li>{@code /static/*} and {@code /login} are open (the login page, the stylesheet and script);</li>
 *   <li>otherwise a principal comes from {@code Authorization: Bearer <token>} or from the session cookie; with
 *       neither the request ends {@code 401} before any handler reads data;</li>
 *   <li>a request that changes something (any method but GET and HEAD) needs the operator role ({@code 403}),
 *       and when it came with the session cookie it must carry the session's CSRF token in the form field
 *       {@code _csrf} or the header {@code X-CSRF-Token} ({@code 403}). A bearer token is not sent by the
 *       browser on its own, so API calls with one need no CSRF token.</li>
 * </ol>
 */
public final class Guard {
    /** The session cookie's name. */
    public static final String COOKIE = "conveyor_session";
    /** Request attribute holding the {@link Principal}. */
    public static final String PRINCIPAL = "conveyor.principal";
    /** Request attribute holding the {@link Sessions.Session}, when the request came with one. */
    public static final String SESSION = "conveyor.session";

    /** Thrown to end the request; the server renders it. */
    public static final class Denied extends RuntimeException {
        private final int status;

        Denied(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final Credentials credentials;
    private final Sessions sessions;

    public Guard(Credentials credentials, Sessions sessions) {
        this.credentials = credentials;
        this.sessions = sessions;
    }

    /** The before-handler. */
    public void check(Context ctx) {
        SecurityHeaders.apply(ctx);
        String path = ctx.path();
        if (path.startsWith("/static/") || path.equals("/login")) return;
        Principal who = identify(ctx).orElseThrow(() -> new Denied(401, "login required"));
        ctx.attribute(PRINCIPAL, who);
        HandlerType m = ctx.method();
        if (m == HandlerType.GET || m == HandlerType.HEAD) return;
        Sessions.Session session = ctx.attribute(SESSION);
        if (session != null && !csrfMatches(ctx, session.csrf())) {
            throw new Denied(403, "missing or wrong CSRF token; reload the page and try again");
        }
        if (!who.role().canOperate() && !path.equals("/logout")) {
            throw new Denied(403, "your role (" + who.role().label() + ") cannot change anything");
        }
    }

    private Optional<Principal> identify(Context ctx) {
        String auth = ctx.header("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return credentials.byToken(auth.substring(7).trim()); // a wrong token is not rescued by a cookie
        }
        Optional<Sessions.Session> s = sessions.find(ctx.cookie(COOKIE));
        s.ifPresent(session -> ctx.attribute(SESSION, session));
        return s.map(Sessions.Session::principal);
    }

    private static boolean csrfMatches(Context ctx, String expected) {
        String given = ctx.header("X-CSRF-Token");
        if (given == null && isForm(ctx)) given = ctx.formParam("_csrf");
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }

    static boolean isForm(Context ctx) {
        String type = ctx.contentType();
        return type != null && (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data"));
    }
}
