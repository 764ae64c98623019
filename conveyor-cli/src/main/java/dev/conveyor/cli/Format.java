package dev.conveyor.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** How the CLI writes times and durations for people. */
final class Format {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Format() {}

    /** A duration in at most two units: 850ms, 3s, 2m10s, 1h5m, 3d4h. */
    static String age(Duration d) {
        if (d.isNegative()) d = Duration.ZERO;
        long ms = d.toMillis();
        if (ms < 1000) return ms + "ms";
        long s = d.toSeconds();
        if (s < 60) return s + "s";
        if (s < 3600) return pair(s / 60, "m", s % 60, "s");
        if (s < 86_400) return pair(s / 3600, "h", s % 3600 / 60, "m");
        return pair(s / 86_400, "d", s % 86_400 / 3600, "h");
    }

    /** Like {@link #age} but whole seconds (0s for under a second): for ages in tables. */
    static String ageSeconds(Duration d) {
        return d.toMillis() < 1000 ? "0s" : age(d);
    }

    private static String pair(long a, String ua, long b, String ub) {
        return b == 0 ? a + ua : a + ua + b + ub;
    }

    /** An instant as {@code 2025-06-01 12:00:03Z}, or "-". */
    static String time(Instant t) {
        return t == null ? "-" : TIME.format(t);
    }

    /** An instant with milliseconds (ISO-8601, UTC), or "-". */
    static String exact(Instant t) {
        return t == null ? "-" : t.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /** "12s ago" / "in 3s" relative to {@code now}, or "-". */
    static String relative(Instant t, Instant now) {
        if (t == null) return "-";
        Duration d = Duration.between(t, now);
        return d.isNegative() ? "in " + ageSeconds(d.negated()) : ageSeconds(d) + " ago";
    }
}
