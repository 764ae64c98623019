package dev.conveyor.web.view;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Times and ages as pages show them: UTC with seconds, and "3 m 10 s ago". */
public final class Fmt {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private Fmt() {}

    /** An instant as a {@code <time>} element (escaped), or "-". */
    public static String time(Instant at) {
        if (at == null) return "-";
        return "<time datetime=\"" + Html.esc(at.toString()) + "\">" + Html.esc(TIME.format(at)) + "</time>";
    }

    /** A duration in the two largest units: "2 h 5 m", "14 s", "0 s". */
    public static String age(Duration d) {
        if (d == null) return "-";
        long s = Math.max(0, d.getSeconds());
        if (s < 60) return s + " s";
        if (s < 3600) return s / 60 + " m " + s % 60 + " s";
        if (s < 86400) return s / 3600 + " h " + s % 3600 / 60 + " m";
        return s / 86400 + " d " + s % 86400 / 3600 + " h";
    }

    /** "in 5 m" or "5 m ago". */
    public static String relative(Instant at, Instant now) {
        if (at == null) return "-";
        return at.isAfter(now) ? "in " + age(Duration.between(now, at)) : age(Duration.between(at, now)) + " ago";
    }

    /** A rate with one decimal: "12.5/s". */
    public static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%.1f/s", perSecond);
    }
}
