package dev.conveyor.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * RFC 3339 instants as job envelopes carry them ({@code 2026-11-25T15:00:00.123Z}), read and written without
 * java.time's general formatter on the common path: it was 8 % of the JVM's CPU time on the Redis broker's hot
 * path (docs/BENCHMARKS.md). Anything outside the common form (an offset other than {@code Z}, a year past 9999)
 * goes through java.time, so the results are exactly {@link Instant#toString()} and
 * {@link OffsetDateTime#parse(CharSequence)}'s. Not public API.
 */
public final class Instants {
    private Instants() {}

    /** The first second of year 10000: from there on, {@link Instant#toString()} writes a sign and more digits. */
    private static final long YEAR_10000 = 253_402_300_800L;

    /** The same text as {@link Instant#toString()}. */
    public static String format(Instant t) {
        long seconds = t.getEpochSecond();
        if (seconds < 0 || seconds >= YEAR_10000) return t.toString();
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400));
        int ofDay = (int) Math.floorMod(seconds, 86_400);
        int nanos = t.getNano();
        // ISO_INSTANT writes the fraction in groups of three digits, as few as the value needs.
        int fraction = nanos == 0 ? 0 : nanos % 1_000_000 == 0 ? 3 : nanos % 1_000 == 0 ? 6 : 9;
        char[] out = new char[20 + (fraction == 0 ? 0 : fraction + 1)];
        digits(out, 0, date.getYear(), 4);
        out[4] = '-';
        digits(out, 5, date.getMonthValue(), 2);
        out[7] = '-';
        digits(out, 8, date.getDayOfMonth(), 2);
        out[10] = 'T';
        digits(out, 11, ofDay / 3_600, 2);
        out[13] = ':';
        digits(out, 14, ofDay / 60 % 60, 2);
        out[16] = ':';
        digits(out, 17, ofDay % 60, 2);
        int at = 19;
        if (fraction > 0) {
            out[at++] = '.';
            int scaled = fraction == 3 ? nanos / 1_000_000 : fraction == 6 ? nanos / 1_000 : nanos;
            digits(out, at, scaled, fraction);
            at += fraction;
        }
        out[at] = 'Z';
        return new String(out);
    }

    /**
     * Reads an RFC 3339 instant: {@code YYYY-MM-DDTHH:MM:SS[.fraction]Z} directly, any other form (an offset,
     * lower-case letters) by {@link OffsetDateTime#parse}, which also gives the error for text that is none.
     *
     * @throws DateTimeParseException when the text is not an instant
     */
    public static Instant parse(String s) {
        Instant fast = parseCommon(s);
        return fast != null ? fast : OffsetDateTime.parse(s).toInstant();
    }

    /** The common form, or null when the text is anything else (including impossible dates and times). */
    private static Instant parseCommon(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z') {
            return null;
        }
        int year = number(s, 0, 4), month = number(s, 5, 2), day = number(s, 8, 2);
        int hour = number(s, 11, 2), minute = number(s, 14, 2), second = number(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 28 && day > LocalDate.of(year, month, 1).lengthOfMonth()
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            int digits = n - 21;
            if (s.charAt(19) != '.' || digits < 1 || digits > 9) return null;
            nanos = number(s, 20, digits);
            if (nanos < 0) return null;
            for (int i = digits; i < 9; i++) nanos *= 10;
        } else if (s.charAt(19) != 'Z') {
            return null;
        }
        long days = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The decimal number in {@code s[from, from + length)}, or -1 when a character there is not a digit. */
    private static int number(String s, int from, int length) {
        int value = 0;
        for (int i = from; i < from + length; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static void digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
