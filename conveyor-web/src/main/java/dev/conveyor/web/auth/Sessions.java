package dev.conveyor.web.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Browser sessions after a login: a random id (the cookie) maps to the principal and the session's CSRF token.
 * In memory: a restarted dashboard asks everyone to log in again, which is fine for an operator tool. A session
 * idle for {@link #IDLE_TIMEOUT} is gone; at most {@link #MAX_SESSIONS} exist (the oldest go first).
 */
public final class Sessions {
    /** A session unused this long ends. */
    public static final Duration IDLE_TIMEOUT = Duration.ofHours(8);
    static final int MAX_SESSIONS = 10_000;

    /** One session. */
    public record Session(String id, Principal principal, String csrf, Instant lastUsed) {}

    private final Map<String, Session> byId = new ConcurrentHashMap<>();
    private final Clock clock;

    public Sessions(Clock clock) {
        this.clock = clock;
    }

    /** Starts a session for {@code principal}. */
    public Session start(Principal principal) {
        if (byId.size() >= MAX_SESSIONS) expire();
        Session s = new Session(Credentials.randomToken(), principal, Credentials.randomToken(), clock.instant());
        byId.put(s.id(), s);
        return s;
    }

    /** The live session with this id, touched; empty if unknown or idle too long. */
    public Optional<Session> find(String id) {
        if (id == null) return Optional.empty();
        Session s = byId.get(id);
        if (s == null) return Optional.empty();
        Instant now = clock.instant();
        if (s.lastUsed().plus(IDLE_TIMEOUT).isBefore(now)) {
            byId.remove(id);
            return Optional.empty();
        }
        Session touched = new Session(s.id(), s.principal(), s.csrf(), now);
        byId.put(id, touched);
        return Optional.of(touched);
    }

    /** Ends a session (logout). */
    public void end(String id) {
        if (id != null) byId.remove(id);
    }

    private void expire() {
        Instant cutoff = clock.instant().minus(IDLE_TIMEOUT);
        byId.values().removeIf(s -> s.lastUsed().isBefore(cutoff));
        if (byId.size() >= MAX_SESSIONS) {
            byId.values().stream().min(java.util.Comparator.comparing(Session::lastUsed)).ifPresent(s -> byId.remove(s.id()));
        }
    }
}
