package dev.conveyor.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations users type on the command line and in config: {@code 250ms}, {@code 30s},
 * {@code 5m}, {@code 2h}, {@code 1d}, or ISO-8601 such as {@code PT30S}.
 */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {}

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("duration is empty; expected e.g. 250ms, 30s, 5m, 2h, 1d or PT30S");
        }
        String t = text.trim();
        Matcher m = SHORT.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            Duration d = Duration.parse(t);
            if (d.isNegative()) throw new IllegalArgumentException("duration must not be negative, was '" + text + "'");
            return d;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "invalid duration '" + text + "'; expected e.g. 250ms, 30s, 5m, 2h, 1d or PT30S");
        }
    }

    /** Formats a duration the way {@link #parse} reads it, choosing the largest exact unit. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms != 0) return ms / 86_400_000 + "d";
        if (ms % 3_600_000 == 0 && ms != 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0 && ms != 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0 && ms != 0) return ms / 1000 + "s";
        return ms + "ms";
    }
}
