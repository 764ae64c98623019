package dev.conveyor.web.auth;

import io.javalin.http.Context;

/**
 * The headers every response carries. The Content-Security-Policy allows scripts, styles, images and requests
 * only from the dashboard itself and no inline code at all, so even a job field that slipped past escaping
 * could not run; framing is refused (clickjacking), and pages are not cached (they show job data).
 */
public final class SecurityHeaders {
    /** The policy: everything from our own origin, nothing inline, no frames, forms only to us. */
    public static final String CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            + "frame-ancestors 'none'; form-action 'self'";

    private SecurityHeaders() {}

    public static void apply(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        if (!ctx.path().startsWith("/static/")) ctx.header("Cache-Control", "no-store");
    }
}
