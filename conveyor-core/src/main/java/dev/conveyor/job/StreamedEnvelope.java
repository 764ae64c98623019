package dev.conveyor.job;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.conveyor.internal.Instants;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The envelope decoder's common path: the envelope read token by token into a {@link Job}, its args copied out of
 * the envelope's text as they are. It returns null for anything it does not expect — a field of another type, a
 * field given twice, an unknown protocol version, invalid JSON — and {@link JobCodec#decode} then reads the envelope
 * through a tree, which decodes the rare valid ones and words every error; a test checks that the two agree on every
 * envelope the streamed one decodes. Why a second path: in a fresh JVM the tree took ~145 µs an envelope (a fetch of
 * 200 held its first job back ~29 ms), warm ~3 µs; see BENCHMARKS.md, "The envelope by hand".
 */
final class StreamedEnvelope {
    private StreamedEnvelope() {}

    // One bit per field, to leave a field given twice to the tree reader (which keeps the last).
    private static final int V = 1, ID = 1 << 1, TASK = 1 << 2, QUEUE = 1 << 3, ARGS = 1 << 4, HEADERS = 1 << 5,
            PRIORITY = 1 << 6, ATTEMPT = 1 << 7, DELIVERIES = 1 << 8, MAX_ATTEMPTS = 1 << 9, MAX_DELIVERIES = 1 << 10,
            RUN_AT = 1 << 11, ENQUEUED_AT = 1 << 12, EXPIRES_AT = 1 << 13, TIMEOUT = 1 << 14, UNIQUE_KEY = 1 << 15,
            UNIQUE_FOR = 1 << 16, PARENT = 1 << 17, GROUP = 1 << 18;
    private static final int REQUIRED = V | ID | TASK | QUEUE | ARGS | ENQUEUED_AT;

    /** Anything this path does not take: the tree reader decides. */
    private static final class Unexpected extends Exception {
        static final Unexpected INSTANCE = new Unexpected();

        private Unexpected() {
            super(null, null, false, false);
        }
    }

    /** The job, or null when the tree reader must decide (see the class comment). */
    static Job read(JsonFactory factory, String envelope) {
        String id = null, task = null, queue = null, args = null, uniqueKey = null, parentId = null, groupId = null;
        Map<String, String> headers = Map.of();
        int priority = Job.DEFAULT_PRIORITY, attempt = 0, deliveries = 0;
        int maxAttempts = JobCodec.DEFAULT_MAX_ATTEMPTS, maxDeliveries = JobCodec.DEFAULT_MAX_DELIVERIES;
        Instant runAt = null, enqueuedAt = null, expiresAt = null;
        Duration timeout = null, uniqueFor = null;
        int seen = 0;
        try (JsonParser p = factory.createParser(envelope)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                int bit = switch (name) {
                    case "v" -> {
                        if (intOrNull(p, value, -1) != Job.PROTOCOL_VERSION) throw Unexpected.INSTANCE;
                        yield V;
                    }
                    case "id" -> {
                        id = string(p, value);
                        yield ID;
                    }
                    case "task" -> {
                        task = string(p, value);
                        yield TASK;
                    }
                    case "queue" -> {
                        queue = string(p, value);
                        yield QUEUE;
                    }
                    case "args" -> {
                        args = args(envelope, p, value);
                        yield ARGS;
                    }
                    case "headers" -> {
                        headers = headers(p, value);
                        yield HEADERS;
                    }
                    case "priority" -> {
                        priority = intOrNull(p, value, Job.DEFAULT_PRIORITY);
                        yield PRIORITY;
                    }
                    case "attempt" -> {
                        attempt = intOrNull(p, value, 0);
                        yield ATTEMPT;
                    }
                    case "deliveries" -> {
                        deliveries = intOrNull(p, value, 0);
                        yield DELIVERIES;
                    }
                    case "maxAttempts" -> {
                        maxAttempts = intOrNull(p, value, JobCodec.DEFAULT_MAX_ATTEMPTS);
                        yield MAX_ATTEMPTS;
                    }
                    case "maxDeliveries" -> {
                        maxDeliveries = intOrNull(p, value, JobCodec.DEFAULT_MAX_DELIVERIES);
                        yield MAX_DELIVERIES;
                    }
                    case "runAt" -> {
                        runAt = instantOrNull(p, value);
                        yield RUN_AT;
                    }
                    case "enqueuedAt" -> {
                        enqueuedAt = instantOrNull(p, value);
                        yield enqueuedAt == null ? 0 : ENQUEUED_AT;
                    }
                    case "expiresAt" -> {
                        expiresAt = instantOrNull(p, value);
                        yield EXPIRES_AT;
                    }
                    case "timeoutMs" -> {
                        timeout = millisOrNull(p, value);
                        yield TIMEOUT;
                    }
                    case "uniqueKey" -> {
                        uniqueKey = stringOrNull(p, value);
                        yield UNIQUE_KEY;
                    }
                    case "uniqueForMs" -> {
                        uniqueFor = millisOrNull(p, value);
                        yield UNIQUE_FOR;
                    }
                    case "parentId" -> {
                        parentId = stringOrNull(p, value);
                        yield PARENT;
                    }
                    case "groupId" -> {
                        groupId = stringOrNull(p, value);
                        yield GROUP;
                    }
                    default -> {
                        p.skipChildren(); // a field a later version added
                        yield 0;
                    }
                };
                if ((seen & bit) != 0) throw Unexpected.INSTANCE;
                seen |= bit;
            }
            // the whole text must be this one object, as the tree reader's mapper requires (FAIL_ON_TRAILING_TOKENS)
            if (t != JsonToken.END_OBJECT || p.nextToken() != null || (seen & REQUIRED) != REQUIRED) return null;
        } catch (IOException | Unexpected | RuntimeException e) {
            return null; // invalid JSON, a limit passed, a value of another type: the tree reader words it
        }
        try {
            return new Job(id, task, queue, args, headers, priority, attempt, deliveries, maxAttempts, maxDeliveries,
                    runAt == null ? enqueuedAt : runAt, enqueuedAt, expiresAt, timeout, uniqueKey, uniqueFor, parentId, groupId);
        } catch (IllegalArgumentException | NullPointerException e) {
            return null; // the tree reader says what is wrong, in its words
        }
    }

    private static String string(JsonParser p, JsonToken value) throws IOException, Unexpected {
        if (value != JsonToken.VALUE_STRING) throw Unexpected.INSTANCE;
        return p.getText();
    }

    private static String stringOrNull(JsonParser p, JsonToken value) throws IOException, Unexpected {
        return value == JsonToken.VALUE_NULL ? null : string(p, value);
    }

    private static int intOrNull(JsonParser p, JsonToken value, int ifNull) throws IOException, Unexpected {
        if (value == JsonToken.VALUE_NULL) return ifNull;
        if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) throw Unexpected.INSTANCE;
        return p.getIntValue();
    }

    private static Duration millisOrNull(JsonParser p, JsonToken value) throws IOException, Unexpected {
        if (value == JsonToken.VALUE_NULL) return null;
        if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw Unexpected.INSTANCE;
        }
        return Duration.ofMillis(p.getLongValue());
    }

    private static Instant instantOrNull(JsonParser p, JsonToken value) throws IOException, Unexpected {
        if (value == JsonToken.VALUE_NULL) return null;
        try {
            return Instants.parse(string(p, value));
        } catch (DateTimeParseException e) {
            throw Unexpected.INSTANCE;
        }
    }

    private static Map<String, String> headers(JsonParser p, JsonToken value) throws IOException, Unexpected {
        if (value == JsonToken.VALUE_NULL) return Map.of();
        if (value != JsonToken.START_OBJECT) throw Unexpected.INSTANCE;
        Map<String, String> out = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (out == null) out = new LinkedHashMap<>();
            if (out.put(key, string(p, p.nextToken())) != null) throw Unexpected.INSTANCE; // given twice
        }
        return out == null ? Map.of() : out;
    }

    /**
     * The args' JSON text: an object or array exactly as the envelope has it (from its opening to its closing
     * bracket, checked by the parser on the way); a number as written; a string, true, false or null written anew.
     */
    private static String args(String envelope, JsonParser p, JsonToken value) throws IOException, Unexpected {
        switch (value) {
            case START_OBJECT, START_ARRAY -> {
                long from = p.currentTokenLocation().getCharOffset();
                p.skipChildren();
                long to = p.currentTokenLocation().getCharOffset(); // the closing bracket
                if (from < 0 || to < from || to >= envelope.length()) throw Unexpected.INSTANCE;
                return envelope.substring((int) from, (int) to + 1);
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getText();
            }
            case VALUE_STRING -> {
                return JsonText.string(new StringBuilder(), p.getText()).toString();
            }
            case VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> {
                return value.asString();
            }
            default -> throw Unexpected.INSTANCE;
        }
    }
}
