package dev.conveyor.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronExpressionTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    /** The next {@code count} fire times after {@code start} (a UTC local date-time), as UTC local date-times. */
    private static List<LocalDateTime> firesUtc(String expression, String start, int count) {
        CronExpression cron = CronExpression.parse(expression);
        List<LocalDateTime> fires = new ArrayList<>();
        Instant t = LocalDateTime.parse(start).toInstant(ZoneOffset.UTC);
        for (int i = 0; i < count; i++) {
            t = cron.next(t, UTC);
            fires.add(LocalDateTime.ofInstant(t, UTC));
        }
        return fires;
    }

    private static LocalDateTime ldt(String text) {
        return LocalDateTime.parse(text);
    }

    private static Instant at(String localDateTime, ZoneId zone) {
        return ZonedDateTime.ofLocal(LocalDateTime.parse(localDateTime), zone, null).toInstant();
    }

    @Nested
    class Fields {
        @Test
        void everyMinuteAndSingleValues() {
            assertThat(firesUtc("* * * * *", "2026-01-01T00:00:30", 3))
                    .containsExactly(ldt("2026-01-01T00:01"), ldt("2026-01-01T00:02"), ldt("2026-01-01T00:03"));
            assertThat(firesUtc("7 13 * * *", "2026-01-01T00:00", 2))
                    .containsExactly(ldt("2026-01-01T13:07"), ldt("2026-01-02T13:07"));
        }

        @Test
        void rangesStepsAndLists() {
            assertThat(firesUtc("10-12 0 * * *", "2026-01-01T00:00", 4)).containsExactly(
                    ldt("2026-01-01T00:10"), ldt("2026-01-01T00:11"), ldt("2026-01-01T00:12"), ldt("2026-01-02T00:10"));
            assertThat(firesUtc("*/20 * * * *", "2026-01-01T00:00", 4)).containsExactly(
                    ldt("2026-01-01T00:20"), ldt("2026-01-01T00:40"), ldt("2026-01-01T01:00"), ldt("2026-01-01T01:20"));
            assertThat(firesUtc("5-10/2 * * * *", "2026-01-01T00:00", 4)).containsExactly(
                    ldt("2026-01-01T00:05"), ldt("2026-01-01T00:07"), ldt("2026-01-01T00:09"), ldt("2026-01-01T01:05"));
            // a/n runs from a to the end of the field
            assertThat(firesUtc("50/5 * * * *", "2026-01-01T00:00", 3)).containsExactly(
                    ldt("2026-01-01T00:50"), ldt("2026-01-01T00:55"), ldt("2026-01-01T01:50"));
            assertThat(firesUtc("0 1,3,20-21 * * *", "2026-01-01T00:00", 5)).containsExactly(
                    ldt("2026-01-01T01:00"), ldt("2026-01-01T03:00"), ldt("2026-01-01T20:00"),
                    ldt("2026-01-01T21:00"), ldt("2026-01-02T01:00"));
            assertThat(firesUtc("0 0 */10 * *", "2026-01-01T00:00", 4)).containsExactly(
                    ldt("2026-01-11T00:00"), ldt("2026-01-21T00:00"), ldt("2026-01-31T00:00"), ldt("2026-02-01T00:00"));
        }

        @Test
        void monthNamesAreCaseInsensitive() {
            assertThat(firesUtc("0 0 1 jan,Mar-MAY *", "2026-01-01T00:00", 4)).containsExactly(
                    ldt("2026-03-01T00:00"), ldt("2026-04-01T00:00"), ldt("2026-05-01T00:00"), ldt("2027-01-01T00:00"));
            assertThat(CronExpression.parse("0 0 1 JAN-DEC/3 *")).isEqualTo(CronExpression.parse("0 0 1 1,4,7,10 *"));
        }

        @Test
        void weekdayNamesAndBothSundays() {
            // 2026-03-13 is a Friday
            assertThat(firesUtc("0 9 * * mon-Fri", "2026-03-13T10:00", 2))
                    .containsExactly(ldt("2026-03-16T09:00"), ldt("2026-03-17T09:00"));
            for (String sunday : List.of("0", "7", "SUN", "sun")) {
                assertThat(firesUtc("0 0 * * " + sunday, "2026-03-13T00:00", 2))
                        .as(sunday)
                        .containsExactly(ldt("2026-03-15T00:00"), ldt("2026-03-22T00:00"));
            }
            assertThat(CronExpression.parse("0 0 * * 7")).isEqualTo(CronExpression.parse("0 0 * * 0"));
            assertThat(CronExpression.parse("0 0 * * 0-7")).isEqualTo(CronExpression.parse("0 0 * * *"));
        }

        @Test
        void dayOfWeekRangesMayEndOnSunday() {
            CronExpression fridayToSunday = CronExpression.parse("0 0 * * 5,6,0");
            assertThat(CronExpression.parse("0 0 * * FRI-SUN")).isEqualTo(fridayToSunday);
            assertThat(CronExpression.parse("0 0 * * 5-7")).isEqualTo(fridayToSunday);
            assertThat(CronExpression.parse("0 0 * * 5-0")).isEqualTo(fridayToSunday);
            assertThat(firesUtc("0 0 * * FRI-SUN", "2026-03-12T00:00", 4)).containsExactly(
                    ldt("2026-03-13T00:00"), ldt("2026-03-14T00:00"), ldt("2026-03-15T00:00"), ldt("2026-03-20T00:00"));
        }

        @Test
        void whitespaceIsTrimmedAndRunsOfBlanksSeparateFields() {
            CronExpression cron = CronExpression.parse("  0\t 9 *   * \tMON ");
            assertThat(cron.text()).isEqualTo("0\t 9 *   * \tMON");
            assertThat(cron.toString()).isEqualTo(cron.text());
            assertThat(cron).isEqualTo(CronExpression.parse("0 9 * * 1"));
            assertThat(cron.interval()).isEmpty();
        }

        @Test
        void equalityIsOnTheNormalisedMeaning() {
            assertThat(CronExpression.parse("0 0 * * MON-FRI")).isEqualTo(CronExpression.parse("0 0 * * 1-5"))
                    .hasSameHashCodeAs(CronExpression.parse("0 0 * * 1-5"));
            assertThat(CronExpression.parse("*/30 * * * *")).isEqualTo(CronExpression.parse("0,30 * * * *"));
            assertThat(CronExpression.parse("@every 90m")).isEqualTo(CronExpression.parse("@every 1h30m"))
                    .hasSameHashCodeAs(CronExpression.parse("@every 1h30m"));
            assertThat(CronExpression.parse("@hourly")).isNotEqualTo(CronExpression.parse("@every 1h"));
            assertThat(CronExpression.parse("0 0 * * *")).isNotEqualTo(CronExpression.parse("0 1 * * *"));
            assertThat(CronExpression.parse("0 0 1 * *")).isNotEqualTo(CronExpression.parse("0 0 * 1 *"));
            assertThat(CronExpression.parse("0 0 * * 1")).isNotEqualTo(CronExpression.parse("0 0 1 * *"));
        }
    }

    @Nested
    class Errors {
        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
                0 25 * * *        | cron "0 25 * * *": hour field "25" is out of range 0-23
                60 * * * *        | cron "60 * * * *": minute field "60" is out of range 0-59
                0 0 0 * *         | cron "0 0 0 * *": day-of-month field "0" is out of range 1-31
                0 0 32 * *        | cron "0 0 32 * *": day-of-month field "32" is out of range 1-31
                0 0 * 13 *        | cron "0 0 * 13 *": month field "13" is out of range 1-12 or JAN-DEC
                0 0 * * 8         | cron "0 0 * * 8": day-of-week field "8" is out of range 0-7 (0 and 7 are Sunday) or SUN-SAT
                0 99999999999 * * * | cron "0 99999999999 * * *": hour field "99999999999" is out of range 0-23
                0 1,25 * * *      | cron "0 1,25 * * *": hour field "1,25": "25" is out of range 0-23
                0 20-25 * * *     | cron "0 20-25 * * *": hour field "20-25": "25" is out of range 0-23
                0 22-2 * * *      | cron "0 22-2 * * *": hour field "22-2" goes backwards; ranges don't wrap around, use a list such as 22-23,0-2
                0 0 * * FRI-MON   | cron "0 0 * * FRI-MON": day-of-week field "FRI-MON" goes backwards; ranges don't wrap around, use a list such as 5-7,0-1
                */0 * * * *       | cron "*/0 * * * *": minute field "*/0": "0" is out of range for a step; allowed: 1-59
                */60 * * * *      | cron "*/60 * * * *": minute field "*/60": "60" is out of range for a step; allowed: 1-59
                0 */x * * *       | cron "0 */x * * *": hour field "*/x": "x" is not a valid step; a step is a number from 1 to 23, as in */5
                x * * * *         | cron "x * * * *": minute field "x" is not a number; allowed: 0-59, *, ranges a-b, steps */n, a-b/n, a/n and lists a,b,c
                0 0 * * FOO       | cron "0 0 * * FOO": day-of-week field "FOO" is not a number or a day name; allowed: 0-7 (0 and 7 are Sunday) or SUN-SAT, *, ranges a-b, steps */n, a-b/n, a/n and lists a,b,c
                0 0 * MONDAY *    | cron "0 0 * MONDAY *": month field "MONDAY" is not a number or a month name; allowed: 1-12 or JAN-DEC, *, ranges a-b, steps */n, a-b/n, a/n and lists a,b,c
                0 0 * * JAN       | cron "0 0 * * JAN": day-of-week field "JAN" is not a number or a day name; allowed: 0-7 (0 and 7 are Sunday) or SUN-SAT, *, ranges a-b, steps */n, a-b/n, a/n and lists a,b,c
                0 0 * * MON#2     | cron "0 0 * * MON#2": day-of-week field "MON#2" is not a number or a day name; allowed: 0-7 (0 and 7 are Sunday) or SUN-SAT, *, ranges a-b, steps */n, a-b/n, a/n and lists a,b,c
                0 0 L * *         | cron "0 0 L * *": day-of-month field "L" is not a number; allowed: 1-31, *, ranges a-b, steps */n, a-b/n, a/n and lists a,b,c
                1,,2 * * * *      | cron "1,,2 * * * *": minute field "1,,2" has an empty list element; allowed: 0-59, *, ranges a-b, steps */n, a-b/n, a/n and lists a,b,c
                -5 * * * *        | cron "-5 * * * *": minute field "-5" is not valid; allowed: 0-59, *, ranges a-b, steps */n, a-b/n, a/n and lists a,b,c
                5/ * * * *        | cron "5/ * * * *": minute field "5/" is not valid; allowed: 0-59, *, ranges a-b, steps */n, a-b/n, a/n and lists a,b,c
                ''                | cron "": expression is empty; expected 5 fields (minute hour day-of-month month day-of-week) or a macro such as @daily or @every 5m
                '  \t '           | cron "": expression is empty; expected 5 fields (minute hour day-of-month month day-of-week) or a macro such as @daily or @every 5m
                0 0 * *           | cron "0 0 * *": expected 5 fields (minute hour day-of-month month day-of-week) but found 4
                0 0 0 * * * 2026  | cron "0 0 0 * * * 2026": expected 5 fields (minute hour day-of-month month day-of-week) but found 7
                0 0 0 * * *       | cron "0 0 0 * * *": found 6 fields, but Conveyor's cron has 5 fields (minute hour day-of-month month day-of-week) and no seconds field; use @every for sub-minute schedules, e.g. @every 30s
                @reboot           | cron "@reboot": @reboot is not supported; run start-up work from an application startup hook instead
                @weekdays         | cron "@weekdays": unknown macro "@weekdays"; allowed: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>
                @daily 5          | cron "@daily 5": @daily takes no arguments
                @every            | cron "@every": @every needs a duration, e.g. @every 30s, @every 5m, @every 1h30m or @every 1d
                @every 1h 30m     | cron "@every 1h 30m": @every takes one duration without spaces, e.g. @every 1h30m
                @every 0s         | cron "@every 0s": @every duration "0s" must be at least 1s
                @every 0h0m       | cron "@every 0h0m": @every duration "0h0m" must be at least 1s
                @every 500ms      | cron "@every 500ms": @every duration "500ms": milliseconds are not supported; the smallest interval is 1s
                @every 5x         | cron "@every 5x": @every duration "5x" is not valid; use whole numbers with the units d, h, m, s, largest first, e.g. 30s, 5m, 1h30m or 1d
                @every 30         | cron "@every 30": @every duration "30" is not valid; use whole numbers with the units d, h, m, s, largest first, e.g. 30s, 5m, 1h30m or 1d
                @every 30m1h      | cron "@every 30m1h": @every duration "30m1h" is not valid; use whole numbers with the units d, h, m, s, largest first, e.g. 30s, 5m, 1h30m or 1d
                @every 1.5h       | cron "@every 1.5h": @every duration "1.5h" is not valid; use whole numbers with the units d, h, m, s, largest first, e.g. 30s, 5m, 1h30m or 1d
                @every -5m        | cron "@every -5m": @every duration "-5m" is not valid; use whole numbers with the units d, h, m, s, largest first, e.g. 30s, 5m, 1h30m or 1d
                @every 99999999999999999999d | cron "@every 99999999999999999999d": @every duration "99999999999999999999d" is too large
                """)
        void rejectsWithAMessageNamingTheFieldAndToken(String expression, String message) {
            String text = expression.replace("\\t", "\t");
            assertThatThrownBy(() -> CronExpression.parse(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(message);
        }

        @Test
        void nullIsRejected() {
            assertThatThrownBy(() -> CronExpression.parse(null)).isInstanceOf(NullPointerException.class);
        }
    }

    @Nested
    class Macros {
        @ParameterizedTest
        @CsvSource(delimiter = '|', textBlock = """
                @yearly   | 0 0 1 1 *
                @annually | 0 0 1 1 *
                @monthly  | 0 0 1 * *
                @weekly   | 0 0 * * 0
                @daily    | 0 0 * * *
                @midnight | 0 0 * * *
                @hourly   | 0 * * * *
                @HOURLY   | 0 * * * *
                """)
        void macrosMeanTheirClassicExpansion(String macro, String expansion) {
            CronExpression cron = CronExpression.parse(macro);
            assertThat(cron).isEqualTo(CronExpression.parse(expansion));
            assertThat(cron.text()).isEqualTo(macro);
            assertThat(cron.interval()).isEmpty();
        }

        @Test
        void macrosFireInTheGivenZone() {
            CronExpression yearly = CronExpression.parse("@yearly");
            assertThat(yearly.next(at("2026-06-01T00:00", BERLIN), BERLIN)).isEqualTo(at("2027-01-01T00:00", BERLIN));
            assertThat(CronExpression.parse("@weekly").next(at("2026-03-13T12:00", NEW_YORK), NEW_YORK))
                    .isEqualTo(at("2026-03-15T00:00", NEW_YORK));
        }
    }

    @Nested
    class Intervals {
        @ParameterizedTest
        @CsvSource(delimiter = '|', textBlock = """
                @every 30s    | PT30S
                @every 5m     | PT5M
                @every 2h     | PT2H
                @every 1h30m  | PT1H30M
                @every 1d     | P1D
                @every 1d2h3m4s | P1DT2H3M4S
                @EVERY 1H30M  | PT1H30M
                @every 90s    | PT1M30S
                @every 0m1s   | PT1S
                """)
        void parsesDurations(String text, Duration expected) {
            assertThat(CronExpression.parse(text).interval()).contains(expected);
        }

        @Test
        void ticksAreAlignedToTheEpochWhateverTheZone() {
            CronExpression every90m = CronExpression.parse("@every 1h30m");
            // 2026-01-01T00:00Z is 1767225600 s = 327264 × 5400 s after the epoch: a tick
            assertThat(every90m.next(Instant.parse("2026-01-01T00:10:00Z"), UTC))
                    .isEqualTo(Instant.parse("2026-01-01T01:30:00Z"));
            for (ZoneId zone : List.of(UTC, BERLIN, NEW_YORK, ZoneId.of("Asia/Kathmandu"))) {
                assertThat(every90m.next(Instant.parse("2026-01-01T00:10:00Z"), zone))
                        .isEqualTo(Instant.parse("2026-01-01T01:30:00Z"));
            }
            CronExpression every7m = CronExpression.parse("@every 7m");
            SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < 1_000; i++) {
                Instant t = Instant.ofEpochSecond(random.nextLong(-2_000_000_000L, 4_000_000_000L), random.nextInt(1_000_000_000));
                Instant next = every7m.next(t, BERLIN);
                assertThat(next.getEpochSecond() % 420).isZero();
                assertThat(next.getNano()).isZero();
                assertThat(next).isAfter(t).isBeforeOrEqualTo(t.plusSeconds(420));
            }
        }

        @Test
        void aTickIsStrictlyAfterTheGivenInstant() {
            CronExpression every30s = CronExpression.parse("@every 30s");
            Instant tick = Instant.parse("2026-05-01T12:00:30Z");
            assertThat(every30s.next(tick, UTC)).isEqualTo(Instant.parse("2026-05-01T12:01:00Z"));
            assertThat(every30s.next(tick.minusNanos(1), UTC)).isEqualTo(tick);
            // before the epoch too
            assertThat(CronExpression.parse("@every 1m").next(Instant.parse("1969-12-31T23:59:59Z"), UTC))
                    .isEqualTo(Instant.EPOCH);
            // @every 1d is midnight UTC, not local midnight
            assertThat(CronExpression.parse("@every 1d").next(Instant.parse("2026-05-01T12:00:00Z"), NEW_YORK))
                    .isEqualTo(Instant.parse("2026-05-02T00:00:00Z"));
        }

        @Test
        void daylightSavingTimeDoesNotAffectIntervals() {
            Instant start = at("2026-03-29T00:00", BERLIN);
            List<Instant> fires = CronExpression.parse("@every 1h").between(start, start.plus(Duration.ofHours(24)), BERLIN, 100);
            assertThat(fires).hasSize(24);
            for (int i = 1; i < fires.size(); i++) {
                assertThat(Duration.between(fires.get(i - 1), fires.get(i))).isEqualTo(Duration.ofHours(1));
            }
        }

        @Test
        void noTickBeyondTheEndOfTime() {
            assertThat(CronExpression.parse("@every 1d").next(Instant.MAX.minusSeconds(10), UTC)).isNull();
        }
    }

    @Nested
    class Days {
        @Test
        void whenBothDayFieldsAreRestrictedEitherMatches() {
            // the 13th, and every Friday (2026-03-13 is a Friday; 2026-04-13 a Monday)
            assertThat(firesUtc("0 0 13 * FRI", "2026-03-01T00:00", 5)).containsExactly(
                    ldt("2026-03-06T00:00"), ldt("2026-03-13T00:00"), ldt("2026-03-20T00:00"),
                    ldt("2026-03-27T00:00"), ldt("2026-04-03T00:00"));
            assertThat(firesUtc("0 0 13 * FRI", "2026-04-10T00:00", 2))
                    .containsExactly(ldt("2026-04-13T00:00"), ldt("2026-04-17T00:00"));
            // a stepped day-of-month is a restriction too
            assertThat(firesUtc("0 0 */10 * MON", "2026-03-01T00:00", 4)).containsExactly(
                    ldt("2026-03-02T00:00"), ldt("2026-03-09T00:00"), ldt("2026-03-11T00:00"), ldt("2026-03-16T00:00"));
        }

        @Test
        void whenOneDayFieldIsUnrestrictedOnlyTheOtherCounts() {
            assertThat(firesUtc("0 0 13 * *", "2026-03-01T00:00", 2))
                    .containsExactly(ldt("2026-03-13T00:00"), ldt("2026-04-13T00:00"));
            assertThat(firesUtc("0 0 * * FRI", "2026-03-01T00:00", 2))
                    .containsExactly(ldt("2026-03-06T00:00"), ldt("2026-03-13T00:00"));
            // a field covering its whole range is unrestricted, however it is written
            assertThat(firesUtc("0 0 1-31 * FRI", "2026-03-01T00:00", 2))
                    .containsExactly(ldt("2026-03-06T00:00"), ldt("2026-03-13T00:00"));
            assertThat(firesUtc("0 0 13 * SUN-SAT", "2026-03-01T00:00", 2))
                    .containsExactly(ldt("2026-03-13T00:00"), ldt("2026-04-13T00:00"));
        }

        @Test
        void rollsOverMonthsAndYears() {
            assertThat(firesUtc("0 0 1 * *", "2026-12-15T00:00", 2))
                    .containsExactly(ldt("2027-01-01T00:00"), ldt("2027-02-01T00:00"));
            assertThat(firesUtc("59 23 31 12 *", "2026-12-31T23:59", 1)).containsExactly(ldt("2027-12-31T23:59"));
            assertThat(firesUtc("59 23 * * *", "2026-12-31T23:58:59.999", 2))
                    .containsExactly(ldt("2026-12-31T23:59"), ldt("2027-01-01T23:59"));
        }

        @Test
        void leapDaysAndThe31st() {
            assertThat(firesUtc("0 0 29 2 *", "2027-01-01T00:00", 2))
                    .containsExactly(ldt("2028-02-29T00:00"), ldt("2032-02-29T00:00"));
            // 2100 is not a leap year: eight years between leap days
            assertThat(firesUtc("0 0 29 2 *", "2096-03-01T00:00", 1)).containsExactly(ldt("2104-02-29T00:00"));
            assertThat(firesUtc("0 0 31 * *", "2026-01-31T00:00", 4)).containsExactly(
                    ldt("2026-03-31T00:00"), ldt("2026-05-31T00:00"), ldt("2026-07-31T00:00"), ldt("2026-08-31T00:00"));
        }

        @Test
        void daysThatNeverExistNeverFire() {
            Instant now = Instant.parse("2026-01-01T00:00:00Z");
            assertThat(CronExpression.parse("0 0 30 2 *").next(now, UTC)).isNull();
            assertThat(CronExpression.parse("0 0 31 2,4,6,9,11 *").next(now, BERLIN)).isNull();
            assertThat(CronExpression.parse("0 0 30 2 *").between(now, now.plus(Duration.ofDays(3_000)), UTC, 10)).isEmpty();
            // but a restricted day-of-week rescues an impossible day-of-month (either matches)
            assertThat(CronExpression.parse("0 0 30 2 MON").next(now, UTC)).isEqualTo(Instant.parse("2026-02-02T00:00:00Z"));
        }

        @Test
        @Timeout(value = 2, unit = TimeUnit.SECONDS)
        void sparseSchedulesAreFoundByJumpingNotByScanningMinutes() {
            CronExpression leapDay = CronExpression.parse("59 23 29 2 *");
            CronExpression yearly = CronExpression.parse("@yearly");
            CronExpression never = CronExpression.parse("0 0 31 4 *");
            Instant t = Instant.parse("2001-01-01T00:00:00Z");
            for (int i = 0; i < 1_000; i++) {
                Instant from = t.plus(Duration.ofDays(i * 13L));
                assertThat(leapDay.next(from, BERLIN)).isAfter(from);
                assertThat(yearly.next(from, NEW_YORK)).isAfter(from);
                assertThat(never.next(from, UTC)).isNull();
            }
        }
    }

    @Nested
    class DaylightSavingTime {
        private List<LocalDateTime> localFires(String expression, ZoneId zone, String fromLocal, String toLocal) {
            List<Instant> fires = CronExpression.parse(expression)
                    .between(at(fromLocal, zone), at(toLocal, zone), zone, 1_000);
            return fires.stream().map(f -> LocalDateTime.ofInstant(f, zone)).toList();
        }

        @Test
        void berlinGapAFixedTimeInTheGapFiresOnceShiftedByTheGap() {
            ZoneOffsetTransition gap = BERLIN.getRules().nextTransition(Instant.parse("2026-03-01T00:00:00Z"));
            assertThat(gap.isGap()).isTrue();
            assertThat(gap.getDateTimeBefore()).isEqualTo(ldt("2026-03-29T02:00"));

            // 02:00 does not exist: it fires at the end of the gap, 03:00 CEST
            assertThat(CronExpression.parse("0 2 * * *").next(Instant.parse("2026-03-28T12:00:00Z"), BERLIN))
                    .isEqualTo(gap.getInstant())
                    .isEqualTo(Instant.parse("2026-03-29T01:00:00Z"));
            // 02:30 does not exist: shifted by the one-hour gap to 03:30 CEST, once
            assertThat(CronExpression.parse("30 2 * * *")
                    .between(Instant.parse("2026-03-28T00:00:00Z"), Instant.parse("2026-03-31T00:00:00Z"), BERLIN, 10))
                    .containsExactly(
                            Instant.parse("2026-03-28T01:30:00Z"), // 02:30 CET
                            Instant.parse("2026-03-29T01:30:00Z"), // 03:30 CEST, the shifted 02:30
                            Instant.parse("2026-03-30T00:30:00Z")); // 02:30 CEST
        }

        @Test
        void berlinGapFireIsFoundFromInstantsAfterTheGapStarted() {
            CronExpression cron = CronExpression.parse("30 2 * * *");
            // 03:10 CEST is after the gap, but the shifted 02:30 (03:30 CEST) is still to come
            assertThat(cron.next(at("2026-03-29T03:10", BERLIN), BERLIN)).isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));
            assertThat(cron.next(Instant.parse("2026-03-29T01:30:00Z"), BERLIN)).isEqualTo(at("2026-03-30T02:30", BERLIN));
        }

        @Test
        void aShiftedGapTimeCanComeAfterARealLaterOne() {
            // Lord Howe springs forward by 30 minutes, 02:00 -> 02:30, on 2026-10-04: 02:10 becomes 02:40, after 02:30
            ZoneId lordHowe = ZoneId.of("Australia/Lord_Howe");
            assertThat(CronExpression.parse("10,30 2 * * *")
                    .between(at("2026-10-04T00:00", lordHowe), at("2026-10-04T12:00", lordHowe), lordHowe, 10))
                    .containsExactly(at("2026-10-04T02:30", lordHowe), at("2026-10-04T02:40", lordHowe));
        }

        @Test
        void berlinGapMinutesAddNoFiresToFrequentSchedules() {
            assertThat(localFires("*/15 * * * *", BERLIN, "2026-03-29T01:30", "2026-03-29T03:30")).containsExactly(
                    ldt("2026-03-29T01:45"), ldt("2026-03-29T03:00"), ldt("2026-03-29T03:15"), ldt("2026-03-29T03:30"));
            // a whole calendar day of 23 hours
            List<LocalDateTime> hourly = localFires("0 * * * *", BERLIN, "2026-03-28T23:59", "2026-03-29T23:59");
            assertThat(hourly).hasSize(23).doesNotHaveDuplicates()
                    .doesNotContain(ldt("2026-03-29T02:00")).contains(ldt("2026-03-29T03:00"));
            assertThat(localFires("5 * * * *", BERLIN, "2026-03-28T23:59", "2026-03-29T23:59")).hasSize(23);
        }

        @Test
        void berlinOverlapAFixedTimeFiresOnceAtTheFirstOccurrence() {
            // 02:00-02:59 happens twice on 2026-10-25: at +02:00 (00:00-00:59Z), then at +01:00 (01:00-01:59Z)
            assertThat(CronExpression.parse("30 2 * * *")
                    .between(Instant.parse("2026-10-24T12:00:00Z"), Instant.parse("2026-10-26T12:00:00Z"), BERLIN, 10))
                    .containsExactly(
                            Instant.parse("2026-10-25T00:30:00Z"), // 02:30 CEST, the first 02:30
                            Instant.parse("2026-10-26T01:30:00Z")); // 02:30 CET
            // from within the second pass, the repeated 02:30 is not fired again
            assertThat(CronExpression.parse("30 2 * * *").next(Instant.parse("2026-10-25T01:10:00Z"), BERLIN))
                    .isEqualTo(Instant.parse("2026-10-26T01:30:00Z"));
        }

        @Test
        void berlinOverlapFrequentSchedulesFireOnTheFirstPassOnly() {
            assertThat(CronExpression.parse("*/15 * * * *")
                    .between(Instant.parse("2026-10-24T23:50:00Z"), Instant.parse("2026-10-25T02:00:00Z"), BERLIN, 100))
                    .containsExactly(
                            Instant.parse("2026-10-25T00:00:00Z"), Instant.parse("2026-10-25T00:15:00Z"),
                            Instant.parse("2026-10-25T00:30:00Z"), Instant.parse("2026-10-25T00:45:00Z"),
                            Instant.parse("2026-10-25T02:00:00Z")); // 03:00 CET; 01:00-01:45Z (second pass) skipped
            // the 25-hour calendar day fires 24 times, once per wall-clock hour
            List<Instant> hourly = CronExpression.parse("0 * * * *")
                    .between(at("2026-10-24T23:59", BERLIN), at("2026-10-25T23:59", BERLIN), BERLIN, 100);
            assertThat(hourly).hasSize(24);
            assertThat(hourly.stream().map(f -> LocalDateTime.ofInstant(f, BERLIN).getHour()).toList())
                    .containsExactlyElementsOf(IntStream.range(0, 24).boxed().toList());
        }

        @Test
        void newYorkGapAndOverlap() {
            // gap: 02:00-02:59 EST does not exist on 2026-03-08
            assertThat(CronExpression.parse("0 2 * * *").next(Instant.parse("2026-03-08T00:00:00Z"), NEW_YORK))
                    .isEqualTo(Instant.parse("2026-03-08T07:00:00Z")); // 03:00 EDT, the end of the gap
            assertThat(CronExpression.parse("30 2 * * *").between(
                    Instant.parse("2026-03-07T00:00:00Z"), Instant.parse("2026-03-10T00:00:00Z"), NEW_YORK, 10))
                    .containsExactly(
                            Instant.parse("2026-03-07T07:30:00Z"), // 02:30 EST
                            Instant.parse("2026-03-08T07:30:00Z"), // 03:30 EDT, the shifted 02:30
                            Instant.parse("2026-03-09T06:30:00Z")); // 02:30 EDT
            // overlap: 01:00-01:59 happens twice on 2026-11-01, first in EDT (05:xxZ), then EST (06:xxZ)
            assertThat(CronExpression.parse("30 1 * * *").between(
                    Instant.parse("2026-10-31T12:00:00Z"), Instant.parse("2026-11-02T12:00:00Z"), NEW_YORK, 10))
                    .containsExactly(Instant.parse("2026-11-01T05:30:00Z"), Instant.parse("2026-11-02T06:30:00Z"));

            assertThat(localFires("0 * * * *", NEW_YORK, "2026-03-07T23:59", "2026-03-08T23:59"))
                    .hasSize(23).doesNotHaveDuplicates().doesNotContain(ldt("2026-03-08T02:00"));
            List<Instant> overlapDay = CronExpression.parse("0 * * * *")
                    .between(at("2026-10-31T23:59", NEW_YORK), at("2026-11-01T23:59", NEW_YORK), NEW_YORK, 100);
            assertThat(overlapDay).hasSize(24)
                    .contains(Instant.parse("2026-11-01T05:00:00Z")) // 01:00 EDT
                    .doesNotContain(Instant.parse("2026-11-01T06:00:00Z")); // 01:00 EST, the repeat
        }
    }

    @Nested
    class Between {
        @Test
        void returnsTheOldestFireTimesUpToMax() {
            CronExpression everyMinute = CronExpression.parse("* * * * *");
            Instant from = Instant.parse("2026-01-01T00:00:00Z");
            List<Instant> fires = everyMinute.between(from, from.plus(Duration.ofDays(1)), UTC, 10);
            assertThat(fires).hasSize(10).startsWith(Instant.parse("2026-01-01T00:01:00Z"))
                    .endsWith(Instant.parse("2026-01-01T00:10:00Z"));
            assertThat(everyMinute.between(from, from.plus(Duration.ofDays(1)), UTC, 10_000)).hasSize(1_440);
            assertThat(everyMinute.between(from, from.plus(Duration.ofDays(1)), UTC, 0)).isEmpty();
        }

        @Test
        void theWindowExcludesItsStartAndIncludesItsEnd() {
            CronExpression hourly = CronExpression.parse("@hourly");
            Instant from = Instant.parse("2026-01-01T00:00:00Z");
            assertThat(hourly.between(from, Instant.parse("2026-01-01T03:00:00Z"), UTC, 100)).containsExactly(
                    Instant.parse("2026-01-01T01:00:00Z"), Instant.parse("2026-01-01T02:00:00Z"),
                    Instant.parse("2026-01-01T03:00:00Z"));
            assertThat(hourly.between(from, from, UTC, 100)).isEmpty();
            assertThat(hourly.between(from, from.minusSeconds(3600), UTC, 100)).isEmpty();
            assertThat(CronExpression.parse("@every 30s").between(from, from.plusSeconds(120), UTC, 100)).hasSize(4);
        }

        @Test
        void negativeMaxIsRejected() {
            Instant now = Instant.parse("2026-01-01T00:00:00Z");
            assertThatThrownBy(() -> CronExpression.parse("@daily").between(now, now, UTC, -1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-1");
        }
    }

    /**
     * Random valid expressions against a brute-force oracle that applies the documented rule directly: every matching
     * local minute {@code ldt} fires at {@code ZonedDateTime.ofLocal(ldt, zone, null)}; the next fire time is the
     * earliest of those after {@code t}.
     */
    @Nested
    class RandomExpressions {
        private static final List<ZoneId> ZONES = List.of(UTC, BERLIN, NEW_YORK,
                ZoneId.of("Australia/Lord_Howe"), // 30-minute daylight saving shift
                ZoneId.of("Asia/Kathmandu"), // +05:45
                ZoneId.of("America/Sao_Paulo"), // used to spring forward at midnight
                ZoneId.of("Pacific/Apia"), // skipped 2011-12-30 entirely
                ZoneId.of("Australia/Sydney"));
        private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
            "NOV", "DEC"};
        private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
        private static final int WINDOW_DAYS = 3;

        /** A generated field: its text and the values it should match. */
        private record Generated(String text, boolean[] values) {}

        private final SplittableRandom random = new SplittableRandom(20261125);

        @Test
        void nextIsTheEarliestMatchingFireTimeAfterT() {
            for (int i = 0; i < 2_000; i++) {
                Generated minute = field(0, 59, null);
                Generated hour = field(0, 23, null);
                Generated dayOfMonth = field(1, 31, null);
                Generated month = field(1, 12, MONTHS);
                Generated dayOfWeek = field(0, 6, DAYS);
                String text = String.join(" ", minute.text, hour.text, dayOfMonth.text, month.text, dayOfWeek.text);
                ZoneId zone = ZONES.get(random.nextInt(ZONES.size()));
                Instant t = randomInstant(zone);
                CronExpression cron = CronExpression.parse(text);
                Oracle oracle = new Oracle(minute.values, hour.values, dayOfMonth.values, month.values, dayOfWeek.values, zone);

                Instant next = cron.next(t, zone);
                String description = text + " in " + zone + " after " + t + " (" + t.atZone(zone) + ")";
                Instant earliestInWindow = oracle.next(t);
                if (next == null) {
                    assertThat(earliestInWindow).as(description).isNull();
                } else if (!next.equals(earliestInWindow)) {
                    // only a local time beyond the scanned window may beat the window's earliest fire time
                    assertThat(LocalDateTime.ofInstant(next, zone)).as(description).isAfter(oracle.windowEnd(t));
                    if (earliestInWindow != null) {
                        assertThat(next).as(description).isBefore(earliestInWindow);
                    }
                }
                if (next != null) {
                    assertThat(next).as(description).isAfter(t);
                    assertThat(oracle.isFireTime(next)).as(description + " fires at " + next.atZone(zone)).isTrue();
                    // and strictly: from a fire time, the next one is later
                    Instant afterThat = cron.next(next, zone);
                    if (afterThat != null) {
                        assertThat(afterThat).as(description).isAfter(next);
                    }
                }
            }
        }

        private Instant randomInstant(ZoneId zone) {
            Instant base = Instant.parse("1995-01-01T00:00:00Z")
                    .plusSeconds(random.nextLong(Duration.ofDays(365L * 45).toSeconds()));
            if (random.nextInt(10) < 4) {
                // close to a daylight saving transition, where the rules matter
                ZoneOffsetTransition transition = zone.getRules().nextTransition(base);
                if (zone.getId().equals("Pacific/Apia") && random.nextBoolean()) {
                    transition = zone.getRules().nextTransition(Instant.parse("2011-12-29T00:00:00Z"));
                }
                if (transition != null) {
                    base = transition.getInstant().plusSeconds(random.nextLong(-4 * 3600, 4 * 3600));
                }
            }
            if (random.nextBoolean()) {
                base = base.plusNanos(random.nextInt(1_000_000_000));
            }
            return base;
        }

        private Generated field(int min, int max, String[] names) {
            boolean dayOfWeek = names == DAYS;
            int elements = random.nextInt(6) == 0 ? 2 + random.nextInt(2) : 1;
            boolean[] values = new boolean[max + 1];
            List<String> texts = new ArrayList<>();
            for (int e = 0; e < elements; e++) {
                int span = max - min;
                int form = random.nextInt(elements > 1 ? 5 : 6); // no * inside a list
                int a = min + random.nextInt(span + 1);
                int b = a + random.nextInt(max - a + 1);
                int step = 1 + random.nextInt(span);
                String text;
                switch (form) {
                    case 0 -> { // single value, sometimes 7 for Sunday
                        if (dayOfWeek && a == 0 && random.nextBoolean()) {
                            text = "7";
                        } else {
                            text = value(a, min, names);
                        }
                        values[a] = true;
                    }
                    case 1 -> { // range
                        text = value(a, min, names) + "-" + value(b, min, names);
                        for (int v = a; v <= b; v++) {
                            values[v] = true;
                        }
                    }
                    case 2 -> { // */n
                        text = "*/" + step;
                        for (int v = min; v <= max; v += step) {
                            values[v] = true;
                        }
                    }
                    case 3 -> { // a-b/n
                        text = value(a, min, names) + "-" + value(b, min, names) + "/" + step;
                        for (int v = a; v <= b; v += step) {
                            values[v] = true;
                        }
                    }
                    case 4 -> { // a/n
                        text = value(a, min, names) + "/" + step;
                        for (int v = a; v <= max; v += step) {
                            values[v] = true;
                        }
                    }
                    default -> {
                        text = "*";
                        for (int v = min; v <= max; v++) {
                            values[v] = true;
                        }
                    }
                }
                texts.add(text);
            }
            return new Generated(String.join(",", texts), values);
        }

        private String value(int v, int min, String[] names) {
            if (names != null && random.nextInt(3) == 0) {
                String name = names[v - min];
                return random.nextBoolean() ? name : name.toLowerCase(Locale.ROOT);
            }
            return Integer.toString(v);
        }
    }

    /** The documented semantics, applied minute by minute. */
    private record Oracle(boolean[] minutes, boolean[] hours, boolean[] daysOfMonth, boolean[] months,
            boolean[] daysOfWeek, ZoneId zone) {
        boolean matches(LocalDateTime ldt) {
            return minutes[ldt.getMinute()] && hours[ldt.getHour()] && dayMatches(ldt.toLocalDate());
        }

        boolean dayMatches(LocalDate date) {
            if (!months[date.getMonthValue()]) {
                return false;
            }
            boolean domRestricted = !allTrue(daysOfMonth, 1);
            boolean dowRestricted = !allTrue(daysOfWeek, 0);
            boolean dom = daysOfMonth[date.getDayOfMonth()];
            boolean dow = daysOfWeek[date.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : date.getDayOfWeek().getValue()];
            if (domRestricted && dowRestricted) {
                return dom || dow;
            }
            return (!domRestricted || dom) && (!dowRestricted || dow);
        }

        private static boolean allTrue(boolean[] values, int from) {
            for (int i = from; i < values.length; i++) {
                if (!values[i]) {
                    return false;
                }
            }
            return true;
        }

        private Duration longestGap() {
            return zone.getId().equals("Pacific/Apia") ? Duration.ofHours(25) : Duration.ofHours(3);
        }

        /** The last local minute that {@link #next} scans. */
        LocalDateTime windowEnd(Instant t) {
            return LocalDateTime.ofInstant(t, zone).plusDays(RandomExpressions.WINDOW_DAYS);
        }

        /**
         * The earliest fire time after t of the matching local minutes from just before t's local time to
         * {@link #windowEnd}, or null if there is none.
         */
        Instant next(Instant t) {
            LocalDateTime start = LocalDateTime.ofInstant(t, zone).withSecond(0).withNano(0).minus(longestGap());
            Instant best = null;
            LocalDateTime stop = windowEnd(t);
            // every minute of the window, in order; days and hours that don't match skip their minutes wholesale
            for (LocalDate date = start.toLocalDate(); !date.isAfter(stop.toLocalDate()); date = date.plusDays(1)) {
                if (!dayMatches(date)) {
                    continue;
                }
                for (int hour = 0; hour < 24; hour++) {
                    for (int minute = 0; minute < 60; minute++) {
                        if (!hours[hour] || !minutes[minute]) {
                            continue;
                        }
                        LocalDateTime ldt = date.atTime(hour, minute);
                        if (ldt.isBefore(start) || ldt.isAfter(stop)) {
                            continue;
                        }
                        Instant fire = ZonedDateTime.ofLocal(ldt, zone, null).toInstant();
                        if (fire.isAfter(t) && (best == null || fire.isBefore(best))) {
                            best = fire;
                            // a gap shifts local times forward by at most longestGap: later ones can't map before best
                            LocalDateTime bestLimit = LocalDateTime.ofInstant(best, zone).plus(longestGap());
                            stop = bestLimit.isBefore(stop) ? bestLimit : stop;
                        }
                    }
                }
            }
            return best;
        }

        /** Whether some matching local minute maps to exactly this instant. */
        boolean isFireTime(Instant fire) {
            LocalDateTime local = LocalDateTime.ofInstant(fire, zone);
            if (matches(local) && ZonedDateTime.ofLocal(local, zone, null).toInstant().equals(fire)) {
                return true;
            }
            ZoneOffsetTransition previous = zone.getRules().previousTransition(fire.plusSeconds(1));
            if (previous != null && previous.isGap()) {
                LocalDateTime inGap = local.minus(previous.getDuration());
                return matches(inGap) && ZonedDateTime.ofLocal(inGap, zone, null).toInstant().equals(fire);
            }
            return false;
        }
    }
}
