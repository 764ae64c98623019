package dev.conveyor.web;

import dev.conveyor.web.auth.Guard;
import dev.conveyor.web.auth.Sessions;
import io.javalin.http.Context;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one-line message a page shows after a form action ("Re-drove 3 dead jobs."), kept per session until the
 * next page shows it. Not in the URL: a link cannot make the dashboard display text of someone else's choosing.
 */
final class Notices {
    private final Map<String, String> bySession = new ConcurrentHashMap<>();

    void put(Context ctx, String message) {
        Sessions.Session s = ctx.attribute(Guard.SESSION);
        if (s != null) bySession.put(s.id(), message);
    }

    /** The pending notice, removed; or null. */
    String take(Context ctx) {
        Sessions.Session s = ctx.attribute(Guard.SESSION);
        return s == null ? null : bySession.remove(s.id());
    }
}
