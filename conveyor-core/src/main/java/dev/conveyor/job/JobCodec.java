package dev.conveyor.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.conveyor.internal.Instants;
import dev.conveyor.internal.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the version-1 JSON envelope of {@code docs/PROTOCOL.md}. Decoding treats its input as
 * untrusted: every problem is reported as a {@link CorruptJobException} whose message names the field and
 * what was expected, never as a Jackson stack trace.
 */
public final class JobCodec {
    /** Attempts a job gets when its envelope does not say. */
    public static final int DEFAULT_MAX_ATTEMPTS = 10;
    /** Lost leases after which a job is quarantined, when its envelope does not say. */
    public static final int DEFAULT_MAX_DELIVERIES = 3;
    /** Largest envelope accepted (1 MiB): bigger payloads belong in object storage, referenced by the args. */
    public static final int MAX_ENVELOPE_CHARS = 1 << 20;

    /** Args may nest {@link Json#MAX_NESTING_DEPTH} levels; the envelope object around them is one more. */
    public static final int MAX_ENVELOPE_DEPTH = Json.MAX_NESTING_DEPTH + 1;

    /** Reads envelopes with their decimals kept exact ({@link Json#newExactMapper}). */
    private static final ObjectMapper MAPPER = Json.newExactMapper(MAX_ENVELOPE_DEPTH);

    private JobCodec() {}

    /** Thrown when an envelope cannot be turned into a {@link Job}; the message says why. */
    public static final class CorruptJobException extends RuntimeException {
        public CorruptJobException(String message) {
            super(message);
        }
    }

    public static String encode(Job job) {
        // Written by hand into one builder, the args copied as they are once a parse found them one well-formed JSON
        // value. Jackson's generator, field by field, took 2.0-2.5 us a job warm against 1.1-1.6 (bench/run codec),
        // and writing envelopes was half the producer's time in a bulk enqueue on Redis (BENCHMARKS.md, "The
        // envelope by hand"). The text is the same, byte for byte: JobCodecTest compares it with Jackson's.
        String args = argsJson(job);
        StringBuilder b = new StringBuilder(320 + args.length());
        b.append("{\"v\":").append(Job.PROTOCOL_VERSION);
        JsonText.field(b, "id", job.id());
        JsonText.field(b, "task", job.task());
        JsonText.field(b, "queue", job.queue());
        b.append(",\"args\":").append(args).append(",\"headers\":{");
        boolean first = true;
        for (Map.Entry<String, String> h : job.headers().entrySet()) {
            if (!first) b.append(',');
            first = false;
            JsonText.string(b, h.getKey()).append(':');
            JsonText.string(b, h.getValue());
        }
        b.append("},\"priority\":").append(job.priority())
                .append(",\"attempt\":").append(job.attempt())
                .append(",\"deliveries\":").append(job.deliveries())
                .append(",\"maxAttempts\":").append(job.maxAttempts())
                .append(",\"maxDeliveries\":").append(job.maxDeliveries());
        JsonText.field(b, "runAt", Instants.format(job.runAt()));
        JsonText.field(b, "enqueuedAt", Instants.format(job.enqueuedAt()));
        JsonText.field(b, "expiresAt", job.expiresAt() == null ? null : Instants.format(job.expiresAt()));
        b.append(",\"timeoutMs\":").append(job.timeout() == null ? "null" : Long.toString(job.timeout().toMillis()));
        JsonText.field(b, "uniqueKey", job.uniqueKey());
        b.append(",\"uniqueForMs\":").append(job.uniqueFor() == null ? "null" : Long.toString(job.uniqueFor().toMillis()));
        JsonText.field(b, "parentId", job.parentId());
        JsonText.field(b, "groupId", job.groupId());
        return b.append('}').toString();
    }

    /**
     * The job's args as they go into the envelope: as they are when a parse finds exactly one JSON value within the
     * decoding limits (what the facade always writes); otherwise refused, saying what is wrong.
     */
    private static String argsJson(Job job) {
        String args = job.args();
        try (com.fasterxml.jackson.core.JsonParser p = MAPPER.getFactory().createParser(args)) {
            if (p.nextToken() != null) {
                p.skipChildren();
                if (p.nextToken() == null) return args;
            }
        } catch (java.io.IOException e) {
            // the tree below says what is wrong
        }
        try {
            return MAPPER.readTree(args).toString(); // not reached for args the parse above refused, but normalized if so
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("job " + job.id() + " has args that are not JSON: " + e.getOriginalMessage());
        }
    }

    public static Job decode(String envelope) {
        if (envelope == null || envelope.isBlank()) throw new CorruptJobException("empty envelope");
        if (envelope.length() > MAX_ENVELOPE_CHARS) {
            throw new CorruptJobException("envelope is " + envelope.length() + " characters; the limit is " + MAX_ENVELOPE_CHARS);
        }
        Job streamed = decodeStreamed(envelope);
        return streamed != null ? streamed : decodeTree(envelope);
    }

    /** The common path alone: null for anything the tree reader must decide (see {@link StreamedEnvelope}). */
    static Job decodeStreamed(String envelope) {
        return StreamedEnvelope.read(MAPPER.getFactory(), envelope);
    }

    /**
     * Decodes through a tree: what the streamed path leaves to it (a field of an unexpected type or given twice, an
     * unknown version, anything invalid), so that every problem is worded here alone.
     */
    static Job decodeTree(String envelope) {
        JsonNode root;
        try {
            // a decimal whose exponent BigDecimal cannot hold is unreadable JSON here (found by scripts/fuzz:
            // 72e55552225555); the streamed path copies such args as written and the handler's mapper decides
            root = Json.readExact(MAPPER, envelope);
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new CorruptJobException("envelope exceeds a decoding limit (args nest at most "
                    + Json.MAX_NESTING_DEPTH + " levels, numbers at most " + Json.MAX_NUMBER_LENGTH + " digits): "
                    + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new CorruptJobException("envelope is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new CorruptJobException("envelope must be a JSON object");
        JsonNode v = root.get("v");
        if (v == null || v.isNull()) throw new CorruptJobException("missing field 'v' (protocol version, integer)");
        if (!v.isInt()) throw new CorruptJobException("field 'v' must be an integer, was " + kind(v));
        if (v.intValue() != Job.PROTOCOL_VERSION) {
            throw new CorruptJobException("unsupported protocol version " + v.intValue() + "; this worker reads version "
                    + Job.PROTOCOL_VERSION);
        }
        String id = requiredString(root, "id");
        String task = requiredString(root, "task");
        String queue = requiredString(root, "queue");
        JsonNode args = root.get("args");
        if (args == null) throw new CorruptJobException("missing field 'args' (any JSON value)");
        Instant enqueuedAt = instant(root, "enqueuedAt", true);
        Instant runAt = instant(root, "runAt", false);
        try {
            return new Job(id, task, queue, args.toString(), headers(root),
                    intField(root, "priority", Job.DEFAULT_PRIORITY),
                    intField(root, "attempt", 0),
                    intField(root, "deliveries", 0),
                    intField(root, "maxAttempts", DEFAULT_MAX_ATTEMPTS),
                    intField(root, "maxDeliveries", DEFAULT_MAX_DELIVERIES),
                    runAt == null ? enqueuedAt : runAt,
                    enqueuedAt,
                    instant(root, "expiresAt", false),
                    millis(root, "timeoutMs"),
                    optionalString(root, "uniqueKey"),
                    millis(root, "uniqueForMs"),
                    optionalString(root, "parentId"),
                    optionalString(root, "groupId"));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new CorruptJobException("invalid envelope: " + e.getMessage());
        }
    }

    private static String requiredString(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) throw new CorruptJobException("missing field '" + field + "' (string)");
        if (!n.isTextual()) throw new CorruptJobException("field '" + field + "' must be a string, was " + kind(n));
        return n.textValue();
    }

    private static String optionalString(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw new CorruptJobException("field '" + field + "' must be a string or null, was " + kind(n));
        return n.textValue();
    }

    private static int intField(JsonNode root, String field, int defaultValue) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return defaultValue;
        if (!n.isInt()) throw new CorruptJobException("field '" + field + "' must be an integer, was " + kind(n));
        return n.intValue();
    }

    private static Duration millis(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.canConvertToLong() || !n.isIntegralNumber()) {
            throw new CorruptJobException("field '" + field + "' must be an integer number of milliseconds, was " + kind(n));
        }
        return Duration.ofMillis(n.longValue());
    }

    private static Instant instant(JsonNode root, String field, boolean required) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            if (required) throw new CorruptJobException("missing field '" + field + "' (RFC 3339 UTC instant)");
            return null;
        }
        if (!n.isTextual()) {
            throw new CorruptJobException("field '" + field + "' must be an RFC 3339 instant string, was " + kind(n));
        }
        try {
            return Instants.parse(n.textValue());
        } catch (DateTimeParseException e) {
            throw new CorruptJobException("field '" + field + "' is not an RFC 3339 instant such as "
                    + "2026-11-25T15:00:00.000Z: '" + n.textValue() + "'");
        }
    }

    private static Map<String, String> headers(JsonNode root) {
        JsonNode n = root.get("headers");
        if (n == null || n.isNull()) return Map.of();
        if (!n.isObject()) throw new CorruptJobException("field 'headers' must be an object of strings, was " + kind(n));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!e.getValue().isTextual()) {
                throw new CorruptJobException("header '" + e.getKey() + "' must be a string, was " + kind(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    private static String kind(JsonNode n) {
        JsonNodeType t = n.getNodeType();
        return t.name().toLowerCase(java.util.Locale.ROOT);
    }
}
