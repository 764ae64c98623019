package dev.conveyor.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.internal.Durations;
import dev.conveyor.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads schedules from a JSON file, for {@code conveyor worker --schedules FILE} (or an app that keeps its
 * timetable in config). The file is an array of objects:
 *
 * <pre>{@code
 * [
 *   {"name": "nightly-report", "cron": "0 3 * * *", "zone": "Europe/Paris",
 *    "task": "reports.nightly", "args": {"kind": "daily"},
 *    "missed": "run-once", "overlap": "skip"},
 *   {"name": "heartbeat", "cron": "@every 30s", "task": "ops.ping", "queue": "ops"}
 * ]
 * }</pre>
 *
 * Fields: {@code name}, {@code cron} and {@code task} are required; {@code zone} (default UTC), {@code args}
 * (any JSON, default {@code {}}), {@code queue} (default: the task's), {@code missed} ({@code skip},
 * {@code run-once} (default), {@code run-all}), {@code maxCatchUp} (with run-all, default 100), {@code overlap}
 * ({@code allow} (default), {@code skip}), {@code grace} (e.g. {@code 1m}, the default). Unknown fields are
 * refused, so a typo does not silently drop a setting.
 */
public final class ScheduleFile {
    private static final Set<String> FIELDS = Set.of("name", "cron", "zone", "task", "args", "queue", "missed",
            "maxCatchUp", "overlap", "grace");

    private ScheduleFile() {}

    /** Reads and parses {@code file}; errors name the file and the entry. */
    public static List<Schedule> read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read schedule file " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses the JSON text of a schedule file. */
    public static List<Schedule> parse(String json) {
        JsonNode root;
        try {
            root = Json.readExact(json); // a schedule's args keep their decimals
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("expected a JSON array of schedules, e.g. "
                    + "[{\"name\": \"nightly\", \"cron\": \"0 3 * * *\", \"task\": \"reports.nightly\"}]");
        }
        List<Schedule> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode n = root.get(i);
            String where = "schedule #" + (i + 1);
            try {
                if (!n.isObject()) throw new IllegalArgumentException("is not an object");
                for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (!FIELDS.contains(f)) {
                        throw new IllegalArgumentException("unknown field '" + f + "' (known: " + String.join(", ",
                                FIELDS.stream().sorted().toList()) + ")");
                    }
                }
                String name = text(n, "name", true);
                where = "schedule '" + name + "'";
                Schedule s = Schedule.cron(name, text(n, "cron", true))
                        .taskNamed(text(n, "task", true), n.has("args") ? n.get("args").toString() : "{}");
                String zone = text(n, "zone", false);
                if (zone != null) {
                    try {
                        s = s.zone(ZoneId.of(zone));
                    } catch (DateTimeException e) {
                        throw new IllegalArgumentException("unknown time zone '" + zone + "' (use an id such as "
                                + "Europe/Paris or UTC)");
                    }
                }
                String queue = text(n, "queue", false);
                if (queue != null) s = s.queue(queue);
                String missed = text(n, "missed", false);
                if (missed != null) s = s.onMissed(missed(missed));
                if (n.has("maxCatchUp")) {
                    if (!n.get("maxCatchUp").canConvertToInt()) throw new IllegalArgumentException("maxCatchUp must be a number");
                    if (s.onMissed() != Schedule.MissedTicks.RUN_ALL) {
                        throw new IllegalArgumentException("maxCatchUp goes with \"missed\": \"run-all\"");
                    }
                    s = s.runAllMissed(n.get("maxCatchUp").asInt());
                }
                String overlap = text(n, "overlap", false);
                if (overlap != null) s = s.overlap(overlap(overlap));
                String grace = text(n, "grace", false);
                if (grace != null) s = s.grace(Durations.parse(grace));
                if (!names.add(name)) throw new IllegalArgumentException("the name is used twice");
                out.add(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static String text(JsonNode n, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) throw new IllegalArgumentException("missing \"" + field + "\"");
            return null;
        }
        if (!v.isTextual()) throw new IllegalArgumentException("\"" + field + "\" must be a string");
        return v.asText();
    }

    private static Schedule.MissedTicks missed(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "skip" -> Schedule.MissedTicks.SKIP;
            case "run-once" -> Schedule.MissedTicks.RUN_ONCE;
            case "run-all" -> Schedule.MissedTicks.RUN_ALL;
            default -> throw new IllegalArgumentException("\"missed\" must be skip, run-once or run-all, was '" + v + "'");
        };
    }

    private static Schedule.Overlap overlap(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "allow" -> Schedule.Overlap.ALLOW;
            case "skip" -> Schedule.Overlap.SKIP;
            default -> throw new IllegalArgumentException("\"overlap\" must be allow or skip, was '" + v + "'");
        };
    }
}
