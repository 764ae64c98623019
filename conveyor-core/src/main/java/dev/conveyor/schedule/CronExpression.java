package dev.conveyor.schedule;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A schedule: a five-field cron expression or a fixed {@code @every} interval, and the fire times it yields.
 *
 * <pre>
 * Instant next = CronExpression.parse("*&#47;5 9-17 * * MON-FRI").next(Instant.now(), ZoneId.of("Europe/Paris"));
 * </pre>
 *
 * <p>That is every five minutes from 09:00 to 17:55, Monday to Friday, Paris time.
 *
 * <h2>Syntax</h2>
 *
 * Five fields separated by spaces or tabs: {@code minute hour day-of-month month day-of-week}.
 *
 * <table>
 *   <caption>Fields</caption>
 *   <tr><th>Field</th><th>Values</th></tr>
 *   <tr><td>minute</td><td>0-59</td></tr>
 *   <tr><td>hour</td><td>0-23</td></tr>
 *   <tr><td>day-of-month</td><td>1-31</td></tr>
 *   <tr><td>month</td><td>1-12 or {@code JAN}-{@code DEC}</td></tr>
 *   <tr><td>day-of-week</td><td>0-7 (0 and 7 are both Sunday) or {@code SUN}-{@code SAT}</td></tr>
 * </table>
 *
 * <p>Each field is {@code *}, a value, a range {@code a-b}, a stepped <code>*&#47;n</code>, {@code a-b/n} or
 * {@code a/n} (from {@code a} to the field's maximum), or a comma-separated list of those. Names and macros are
 * case-insensitive. Ranges do not wrap around ({@code 22-2} is rejected; write {@code 22-23,0-2}), except that a
 * day-of-week range may end on Sunday ({@code FRI-SUN}, {@code 5-0} or {@code 5-7}). A step must be smaller than the
 * field's span (<code>*&#47;60</code> in the minute field is rejected: it could only ever mean minute 0).
 *
 * <p><b>Day-of-month and day-of-week</b> follow the classic (Vixie) cron rule: when <em>both</em> are restricted, a
 * day matches if <em>either</em> matches, so {@code 0 0 1,15 * MON} fires on the 1st, the 15th and every Monday. When
 * one of them is unrestricted only the other one counts. A field is unrestricted when it covers its whole range:
 * {@code *}, but also <code>*&#47;1</code>, {@code 1-31} or {@code 0-6}. (Vixie cron instead treats any field
 * starting with {@code *}, such as <code>*&#47;2</code>, as unrestricted; here <code>*&#47;2</code> in the
 * day-of-month field is a restriction like any other.)
 *
 * <p>Macros: {@code @yearly} and {@code @annually} ({@code 0 0 1 1 *}), {@code @monthly} ({@code 0 0 1 * *}),
 * {@code @weekly} ({@code 0 0 * * 0}), {@code @daily} and {@code @midnight} ({@code 0 0 * * *}), {@code @hourly}
 * ({@code 0 * * * *}). {@code @reboot} is not supported (run start-up work from a startup hook), and neither is a
 * sixth seconds field: use {@code @every} for sub-minute schedules.
 *
 * <p>Intervals: {@code @every} followed by a duration made of whole numbers with the units {@code d}, {@code h},
 * {@code m}, {@code s}, largest first, each at most once: {@code @every 30s}, {@code @every 5m}, {@code @every 1h30m},
 * {@code @every 1d}. The interval is at least one second. Interval ticks are aligned to the epoch: they are the
 * instants {@code 1970-01-01T00:00Z + k × interval}, whatever the zone, so independent schedulers agree on them.
 * ({@code @every 1d} therefore fires at midnight UTC; use {@code @daily} for midnight in a zone.)
 *
 * <h2>Time zones and daylight saving time</h2>
 *
 * A cron expression describes local (wall-clock) date-times in the zone passed to {@link #next}. Each matching local
 * date-time {@code ldt} fires at the instant {@code ZonedDateTime.ofLocal(ldt, zone, null).toInstant()}, and an instant
 * that several matching local date-times map to fires once. Concretely:
 *
 * <ul>
 *   <li><b>Gap</b> (clocks spring forward, e.g. 02:00-03:00 does not exist in {@code Europe/Berlin} on 2026-03-29):
 *       a local time inside the gap is shifted forward by the length of the gap, as {@code ZonedDateTime} does. So
 *       {@code 0 2 * * *} fires once, at 03:00 (the end of the gap), and {@code 30 2 * * *} fires once, at 03:30. It
 *       is never skipped and never fires twice. For an expression that also matches the shifted time, such as
 *       {@code 0 * * * *} or <code>*&#47;15 * * * *</code>, the shifted time coincides with a real one and fires
 *       once: the minutes of the gap add no extra fires, and {@code 0 * * * *} fires 23 times on that day. (The shift
 *       can reorder fires: where a 30-minute gap skips 02:00-02:29, {@code 10,30 2 * * *} fires at 02:30, then at
 *       02:40 for the shifted 02:10.)
 *   <li><b>Overlap</b> (clocks fall back, e.g. 02:00-03:00 happens twice in {@code Europe/Berlin} on 2026-10-25): a
 *       local time that occurs twice fires once, at its first (earlier-offset, summer-time) occurrence. Expressions
 *       that match every hour or every few minutes fire during the first pass of the repeated hour only, so a job
 *       never runs twice for one wall-clock time, and {@code 0 * * * *} fires 24 times on that 25-hour day.
 * </ul>
 *
 * {@code @every} intervals are instants, not wall-clock times; daylight saving time does not affect them.
 *
 * <h2>Equality</h2>
 *
 * Two expressions are equal when their normalised meaning is equal: the same interval, or the same sets of minutes,
 * hours, days of month, months and days of week. So {@code @daily} equals {@code 0 0 * * *}, {@code MON-FRI} equals
 * {@code 1-5}, {@code 7} equals {@code 0} and {@code @every 90m} equals {@code @every 1h30m}. A cron expression never
 * equals an interval ({@code @hourly} is wall-clock, {@code @every 1h} is not). Expressions whose sets differ but which
 * happen to fire at the same times for calendar reasons (a 31st in months without one) are not equal. {@link #text()}
 * and {@link #toString()} return the text as given, trimmed.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class CronExpression {
    private static final String FIELDS = "minute hour day-of-month month day-of-week";
    private static final String ALL_FORMS = "ranges a-b, steps */n, a-b/n, a/n and lists a,b,c";

    /**
     * Longest wait between two fires of a satisfiable expression: the 29th of February, which skips 2100 (2096-02-29
     * to 2104-02-29 is eight years). Searching a little further than that is enough to find any fire time.
     */
    private static final int SEARCH_YEARS = 9;

    private static final Pattern EVERY = Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    private final String text;
    private final Duration interval; // non-null for @every, then the bit sets below are unused
    private final long minutes; // bit m set: minute m matches (0-59)
    private final int hours; // bit h: hour h (0-23)
    private final int daysOfMonth; // bit d: day d (1-31)
    private final int months; // bit m: month m (1-12)
    private final int daysOfWeek; // bit d: day d, 0 = Sunday (0-6)

    private CronExpression(String text, Duration interval, long minutes, int hours, int daysOfMonth, int months,
            int daysOfWeek) {
        this.text = text;
        this.interval = interval;
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = daysOfMonth;
        this.months = months;
        this.daysOfWeek = daysOfWeek;
    }

    // ---------------------------------------------------------------------------------------------------- parsing

    /**
     * Parses a five-field cron expression, a macro such as {@code @daily}, or an interval such as {@code @every 5m}.
     * Surrounding whitespace is ignored, and fields may be separated by any run of spaces and tabs.
     *
     * @param text the expression, e.g. {@code "30 2 * * MON-FRI"}
     * @return the parsed expression
     * @throws IllegalArgumentException if the text is not valid; the message quotes the expression and names the
     *     offending field and token, e.g. {@code cron "0 25 * * *": hour field "25" is out of range 0-23}
     * @throws NullPointerException if {@code text} is null
     */
    public static CronExpression parse(String text) {
        Objects.requireNonNull(text, "cron expression");
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw invalid(trimmed, "expression is empty; expected 5 fields (" + FIELDS
                    + ") or a macro such as @daily or @every 5m");
        }
        if (trimmed.startsWith("@")) {
            return parseMacro(trimmed);
        }
        String[] fields = trimmed.split("\\s+");
        if (fields.length == 6) {
            throw invalid(trimmed, "found 6 fields, but Conveyor's cron has 5 fields (" + FIELDS
                    + ") and no seconds field; use @every for sub-minute schedules, e.g. @every 30s");
        }
        if (fields.length != 5) {
            throw invalid(trimmed, "expected 5 fields (" + FIELDS + ") but found " + fields.length);
        }
        long minutes = Field.MINUTE.parse(trimmed, fields[0]);
        long hours = Field.HOUR.parse(trimmed, fields[1]);
        long daysOfMonth = Field.DAY_OF_MONTH.parse(trimmed, fields[2]);
        long months = Field.MONTH.parse(trimmed, fields[3]);
        long daysOfWeek = Field.DAY_OF_WEEK.parse(trimmed, fields[4]);
        if ((daysOfWeek & (1L << 7)) != 0) {
            daysOfWeek = (daysOfWeek & ~(1L << 7)) | 1L; // 7 is Sunday, like 0
        }
        return new CronExpression(trimmed, null, minutes, (int) hours, (int) daysOfMonth, (int) months,
                (int) daysOfWeek);
    }

    private static CronExpression parseMacro(String text) {
        String[] words = text.split("\\s+");
        String macro = words[0].toLowerCase(Locale.ROOT);
        if (macro.equals("@every")) {
            if (words.length == 1) {
                throw invalid(text, "@every needs a duration, e.g. @every 30s, @every 5m, @every 1h30m or @every 1d");
            }
            if (words.length > 2) {
                throw invalid(text, "@every takes one duration without spaces, e.g. @every 1h30m");
            }
            return new CronExpression(text, parseInterval(text, words[1]), 0, 0, 0, 0, 0);
        }
        String equivalent = switch (macro) {
            case "@yearly", "@annually" -> "0 0 1 1 *";
            case "@monthly" -> "0 0 1 * *";
            case "@weekly" -> "0 0 * * 0";
            case "@daily", "@midnight" -> "0 0 * * *";
            case "@hourly" -> "0 * * * *";
            case "@reboot" -> throw invalid(text,
                    "@reboot is not supported; run start-up work from an application startup hook instead");
            default -> throw invalid(text, "unknown macro \"" + words[0] + "\"; allowed: @yearly, @annually,"
                    + " @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>");
        };
        if (words.length > 1) {
            throw invalid(text, words[0] + " takes no arguments");
        }
        CronExpression fields = parse(equivalent);
        return new CronExpression(text, null, fields.minutes, fields.hours, fields.daysOfMonth, fields.months,
                fields.daysOfWeek);
    }

    private static Duration parseInterval(String text, String token) {
        String lower = token.toLowerCase(Locale.ROOT);
        String quoted = "@every duration \"" + token + "\"";
        if (lower.matches("\\d+ms")) {
            throw invalid(text, quoted + ": milliseconds are not supported; the smallest interval is 1s");
        }
        Matcher m = EVERY.matcher(lower);
        if (lower.isEmpty() || !m.matches()) {
            throw invalid(text, quoted + " is not valid; use whole numbers with the units d, h, m, s, largest first,"
                    + " e.g. 30s, 5m, 1h30m or 1d");
        }
        long[] secondsPerUnit = {86_400, 3_600, 60, 1};
        long seconds = 0;
        try {
            for (int group = 1; group <= 4; group++) {
                if (m.group(group) != null) {
                    long amount = Long.parseLong(m.group(group));
                    seconds = Math.addExact(seconds, Math.multiplyExact(amount, secondsPerUnit[group - 1]));
                }
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(text, quoted + " is too large");
        }
        if (seconds < 1) {
            throw invalid(text, quoted + " must be at least 1s");
        }
        return Duration.ofSeconds(seconds);
    }

    private static IllegalArgumentException invalid(String text, String problem) {
        return new IllegalArgumentException("cron \"" + text + "\": " + problem);
    }

    /** The five cron fields: their bounds, names, and how to parse one. */
    private enum Field {
        MINUTE("minute", 0, 59, null),
        HOUR("hour", 0, 23, null),
        DAY_OF_MONTH("day-of-month", 1, 31, null),
        MONTH("month", 1, 12,
                new String[] {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}),
        // 7 is accepted as a value (Sunday) but is not part of the span that * and a/n cover
        DAY_OF_WEEK("day-of-week", 0, 6, new String[] {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"});

        final String label;
        final int min;
        final int max;
        final String[] names; // names[i] is the value min + i

        Field(String label, int min, int max, String[] names) {
            this.label = label;
            this.min = min;
            this.max = max;
            this.names = names;
        }

        int maxValue() {
            return this == DAY_OF_WEEK ? 7 : max;
        }

        String allowedValues() {
            return switch (this) {
                case MONTH -> "1-12 or JAN-DEC";
                case DAY_OF_WEEK -> "0-7 (0 and 7 are Sunday) or SUN-SAT";
                default -> min + "-" + max;
            };
        }

        /** Returns a bit set of the matching values (bit v set when value v matches). */
        long parse(String text, String field) {
            long bits = 0;
            for (String element : field.split(",", -1)) {
                bits |= parseElement(text, field, element);
            }
            return bits;
        }

        private long parseElement(String text, String field, String element) {
            if (element.isEmpty()) {
                throw problem(text, field, null, "has an empty list element; allowed: " + allowedValues()
                        + ", *, " + ALL_FORMS);
            }
            if (element.startsWith("-") || element.endsWith("-") || element.endsWith("/")
                    || element.contains("-/") || element.startsWith("/")) {
                throw problem(text, field, element, "is not valid; allowed: " + allowedValues() + ", *, " + ALL_FORMS);
            }
            String range = element;
            int step = 1;
            int slash = element.indexOf('/');
            if (slash >= 0) {
                range = element.substring(0, slash);
                step = parseStep(text, field, element.substring(slash + 1));
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else {
                int dash = range.indexOf('-');
                if (dash < 0) {
                    from = parseValue(text, field, range);
                    // a/n runs to the maximum; a lone value is just itself (7/n in day-of-week is Sunday)
                    to = slash >= 0 ? Math.max(max, from) : from;
                } else {
                    from = parseValue(text, field, range.substring(0, dash));
                    to = parseValue(text, field, range.substring(dash + 1));
                    if (this == DAY_OF_WEEK && to == 0 && from > 0) {
                        to = 7; // FRI-SUN: Sunday closes the week
                    }
                    if (from > to) {
                        throw problem(text, field, range, "goes backwards; ranges don't wrap around, use a list"
                                + " such as " + from + "-" + maxValue() + "," + min + "-" + to);
                    }
                }
            }
            long bits = 0;
            for (int v = from; v <= to; v += step) {
                bits |= 1L << v;
            }
            return bits;
        }

        private int parseStep(String text, String field, String token) {
            int span = max - min; // a step of the whole span or more can only ever hit the start value
            if (!DIGITS.matcher(token).matches()) {
                throw problem(text, field, token, "is not a valid step; a step is a number from 1 to " + span
                        + ", as in */" + Math.min(5, span));
            }
            if (token.length() > 4 || Integer.parseInt(token) < 1 || Integer.parseInt(token) > span) {
                throw problem(text, field, token, "is out of range for a step; allowed: 1-" + span);
            }
            return Integer.parseInt(token);
        }

        private int parseValue(String text, String field, String token) {
            if (DIGITS.matcher(token).matches()) {
                int value = token.length() > 4 ? Integer.MAX_VALUE : Integer.parseInt(token);
                if (value < min || value > maxValue()) {
                    throw problem(text, field, token, "is out of range " + allowedValues());
                }
                return value;
            }
            if (names != null) {
                for (int i = 0; i < names.length; i++) {
                    if (names[i].equalsIgnoreCase(token)) {
                        return min + i;
                    }
                }
                throw problem(text, field, token, "is not a number or a " + (this == MONTH ? "month" : "day")
                        + " name; allowed: " + allowedValues() + ", *, " + ALL_FORMS);
            }
            throw problem(text, field, token, "is not a number; allowed: " + allowedValues() + ", *, " + ALL_FORMS);
        }

        /** {@code hour field "25" is ...}, or {@code hour field "1,25": "25" is ...} when the token is a part. */
        private IllegalArgumentException problem(String text, String field, String token, String what) {
            String where = label + " field \"" + field + "\"";
            if (token != null && !token.equals(field)) {
                where += ": \"" + token + "\"";
            }
            return invalid(text, where + " " + what);
        }
    }

    // ---------------------------------------------------------------------------------------------------- accessors

    /**
     * The interval of an {@code @every} expression.
     *
     * @return the interval for {@code @every} expressions, empty for cron expressions and macros
     */
    public Optional<Duration> interval() {
        return Optional.ofNullable(interval);
    }

    /**
     * The expression as given to {@link #parse}, with surrounding whitespace removed.
     *
     * @return the trimmed text
     */
    public String text() {
        return text;
    }

    // ---------------------------------------------------------------------------------------------------- fire times

    /**
     * Returns the first fire time strictly after {@code after}, evaluating the expression in {@code zone} (see the
     * class documentation for daylight saving time). {@code @every} intervals ignore the zone.
     *
     * @param after the instant to search from (exclusive)
     * @param zone the zone whose wall-clock the expression describes
     * @return the next fire time, or {@code null} if the expression never fires (such as {@code 0 0 30 2 *}, the 30th
     *     of February) or the next fire time would be beyond {@link Instant#MAX}
     * @throws DateTimeException if {@code after} is too far in the future to be a date-time in {@code zone}
     */
    public Instant next(Instant after, ZoneId zone) {
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(zone, "zone");
        return interval != null ? nextTick(after) : nextCronFire(after, zone);
    }

    /**
     * Returns the fire times in {@code (fromExclusive, toInclusive]}, oldest first, at most {@code max} of them (the
     * oldest ones), e.g. to run the ticks a scheduler missed while it was down, within bounds.
     *
     * @param fromExclusive the start of the window, not included
     * @param toInclusive the end of the window, included
     * @param zone the zone whose wall-clock the expression describes
     * @param max the most fire times to return
     * @return the fire times, empty if there are none or {@code toInclusive} is not after {@code fromExclusive}
     * @throws IllegalArgumentException if {@code max} is negative
     */
    public List<Instant> between(Instant fromExclusive, Instant toInclusive, ZoneId zone, int max) {
        Objects.requireNonNull(fromExclusive, "fromExclusive");
        Objects.requireNonNull(toInclusive, "toInclusive");
        Objects.requireNonNull(zone, "zone");
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative, was " + max);
        }
        List<Instant> fires = new ArrayList<>(Math.min(max, 64));
        Instant fire = fromExclusive;
        while (fires.size() < max) {
            fire = next(fire, zone);
            if (fire == null || fire.isAfter(toInclusive)) {
                break;
            }
            fires.add(fire);
        }
        return fires;
    }

    private Instant nextTick(Instant after) {
        long seconds = interval.getSeconds();
        long tick = Math.floorDiv(after.getEpochSecond(), seconds) * seconds; // at or before after
        if (tick > Instant.MAX.getEpochSecond() - seconds) {
            return null;
        }
        return Instant.ofEpochSecond(tick + seconds);
    }

    private Instant nextCronFire(Instant after, ZoneId zone) {
        if (neverMatches()) {
            return null;
        }
        LocalDateTime from = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        // A local time in a gap fires after the gap, shifted by its length: if `after` lies within that shift, local
        // times from the gap's start (earlier than `after`'s own local time) can still fire after `after`.
        ZoneOffsetTransition previous = zone.getRules().previousTransition(after.plusSeconds(1));
        if (previous != null && previous.isGap()
                && after.isBefore(previous.getInstant().plus(previous.getDuration()))) {
            LocalDateTime gapStart = previous.getDateTimeBefore();
            if (gapStart.isBefore(from)) {
                from = gapStart;
            }
        }
        LocalDateTime limit = from.getYear() > LocalDateTime.MAX.getYear() - SEARCH_YEARS
                ? LocalDateTime.MAX
                : from.plusYears(SEARCH_YEARS);

        // Local times map to instants in order, except that a gap's local times land after the gap: keep the earliest
        // instant after `after` until no later local time can map before it.
        Instant best = null;
        LocalDateTime bestLocal = null;
        for (LocalDateTime candidate = nextMatch(from, limit); candidate != null;
                candidate = nextMatch(candidate.plusMinutes(1), limit)) {
            if (bestLocal != null && !candidate.isBefore(bestLocal)) {
                break;
            }
            // null preferred offset: in an overlap, the earlier offset, i.e. the first occurrence
            Instant fire = ZonedDateTime.ofLocal(candidate, zone, null).toInstant();
            if (fire.isAfter(after) && (best == null || fire.isBefore(best))) {
                best = fire;
                bestLocal = LocalDateTime.ofInstant(fire, zone);
            }
        }
        return best;
    }

    /**
     * Returns the first local date-time at or after {@code from} (a whole minute) that matches, or null if there is
     * none up to {@code limit}. Jumps a month, day, hour or minute at a time, so it takes a few hundred steps at most
     * even for the 29th of February.
     */
    private LocalDateTime nextMatch(LocalDateTime from, LocalDateTime limit) {
        LocalDateTime t = from;
        while (!t.isAfter(limit)) {
            int month = t.getMonthValue();
            if (!has(months, month)) {
                int next = nextBit(months, month + 1, 12);
                t = next >= 0
                        ? LocalDate.of(t.getYear(), next, 1).atStartOfDay()
                        : LocalDate.of(t.getYear() + 1, nextBit(months, 1, 12), 1).atStartOfDay();
                continue;
            }
            LocalDate date = t.toLocalDate();
            if (!dayMatches(date)) {
                t = date.plusDays(1).atStartOfDay();
                continue;
            }
            int hour = t.getHour();
            if (!has(hours, hour)) {
                int next = nextBit(hours, hour + 1, 23);
                t = next >= 0 ? date.atTime(next, 0) : date.plusDays(1).atStartOfDay();
                continue;
            }
            int minute = t.getMinute();
            if (!has(minutes, minute)) {
                int next = nextBit(minutes, minute + 1, 59);
                t = next >= 0 ? t.withMinute(next) : t.withMinute(0).plusHours(1);
                continue;
            }
            return t;
        }
        return null;
    }

    private boolean dayMatches(LocalDate date) {
        boolean dayOfMonth = has(daysOfMonth, date.getDayOfMonth());
        boolean dayOfWeek = has(daysOfWeek, date.getDayOfWeek().getValue() % 7);
        // Vixie cron: both restricted -> either; otherwise the unrestricted one is all ones and AND picks the other
        return daysOfMonthRestricted() && daysOfWeekRestricted() ? dayOfMonth || dayOfWeek : dayOfMonth && dayOfWeek;
    }

    private boolean daysOfMonthRestricted() {
        return daysOfMonth != bits(1, 31);
    }

    private boolean daysOfWeekRestricted() {
        return daysOfWeek != bits(0, 6);
    }

    /** True when only the day-of-month restricts the day and no selected month has any of those days. */
    private boolean neverMatches() {
        if (!daysOfMonthRestricted() || daysOfWeekRestricted()) {
            return false;
        }
        for (int month = 1; month <= 12; month++) {
            int longest = Month.of(month).maxLength(); // 29 for February: leap years count
            if (has(months, month) && (daysOfMonth & bits(1, longest)) != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean has(long bits, int value) {
        return (bits & (1L << value)) != 0;
    }

    /** The lowest set bit from {@code from} to {@code to}, or -1. */
    private static int nextBit(long bits, int from, int to) {
        if (from > to) {
            return -1;
        }
        long candidates = bits & (-1L << from);
        int next = Long.numberOfTrailingZeros(candidates);
        return next <= to ? next : -1;
    }

    private static int bits(int from, int to) {
        int bits = 0;
        for (int v = from; v <= to; v++) {
            bits |= 1 << v;
        }
        return bits;
    }

    // ---------------------------------------------------------------------------------------------------- identity

    /** Equal when the normalised meaning is equal; see the class documentation. */
    @Override
    public boolean equals(Object o) {
        return o instanceof CronExpression other
                && Objects.equals(interval, other.interval)
                && minutes == other.minutes
                && hours == other.hours
                && daysOfMonth == other.daysOfMonth
                && months == other.months
                && daysOfWeek == other.daysOfWeek;
    }

    @Override
    public int hashCode() {
        return Objects.hash(interval, minutes, hours, daysOfMonth, months, daysOfWeek);
    }

    /** Returns {@link #text()}. */
    @Override
    public String toString() {
        return text;
    }
}
