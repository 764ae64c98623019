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

    /**
     * Reads envelopes with their decimals kept exact: a decimal in the args read as a double came back rounded
     * (0.12345678901234567890123 as 0.12345678901234568), and 1E400 as the string "Infinity".
     */
    private static final ObjectMapper MAPPER = Json.newMapper(MAX_ENVELOPE_DEPTH)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

    private JobCodec() {}

    /** Thrown when an envelope cannot be turned into a {@link Job}; the message says why. */
    public static final class CorruptJobException extends RuntimeException {
        public CorruptJobException(String message) {
            super(message);
        }
    }

    public static String encode(Job job) {
        // Written field by field, the args copied as they are once a parse found them one well-formed JSON value. A
        // tree with the args parsed into it and written out again took 1.3 us a job warm and 62 us on a cold path,
        // against 1.0 and 17 streamed (BENCHMARKS.md): the first enqueue of a fresh JVM is mostly such paths.
        String args = argsJson(job);
        java.io.StringWriter out = new java.io.StringWriter(256 + args.length());
        try (com.fasterxml.jackson.core.JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", Job.PROTOCOL_VERSION);
            g.writeStringField("id", job.id());
            g.writeStringField("task", job.task());
            g.writeStringField("queue", job.queue());
            g.writeFieldName("args");
            g.writeRawValue(args);
            g.writeObjectFieldStart("headers");
            for (Map.Entry<String, String> h : job.headers().entrySet()) g.writeStringField(h.getKey(), h.getValue());
            g.writeEndObject();
            g.writeNumberField("priority", job.priority());
            g.writeNumberField("attempt", job.attempt());
            g.writeNumberField("deliveries", job.deliveries());
            g.writeNumberField("maxAttempts", job.maxAttempts());
            g.writeNumberField("maxDeliveries", job.maxDeliveries());
            g.writeStringField("runAt", Instants.format(job.runAt()));
            g.writeStringField("enqueuedAt", Instants.format(job.enqueuedAt()));
            writeNullable(g, "expiresAt", job.expiresAt() == null ? null : Instants.format(job.expiresAt()));
            if (job.timeout() == null) g.writeNullField("timeoutMs"); else g.writeNumberField("timeoutMs", job.timeout().toMillis());
            writeNullable(g, "uniqueKey", job.uniqueKey());
            if (job.uniqueFor() == null) g.writeNullField("uniqueForMs"); else g.writeNumberField("uniqueForMs", job.uniqueFor().toMillis());
            writeNullable(g, "parentId", job.parentId());
            writeNullable(g, "groupId", job.groupId());
            g.writeEndObject();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("writing the envelope of job " + job.id(), e); // a string writer does not fail
        }
        return out.toString();
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

    private static void writeNullable(com.fasterxml.jackson.core.JsonGenerator g, String field, String value)
            throws java.io.IOException {
        if (value == null) g.writeNullField(field); else g.writeStringField(field, value);
    }

    public static Job decode(String envelope) {
        if (envelope == null || envelope.isBlank()) throw new CorruptJobException("empty envelope");
        if (envelope.length() > MAX_ENVELOPE_CHARS) {
            throw new CorruptJobException("envelope is " + envelope.length() + " characters; the limit is " + MAX_ENVELOPE_CHARS);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(envelope);
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
