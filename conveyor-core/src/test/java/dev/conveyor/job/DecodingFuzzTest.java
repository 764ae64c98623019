package dev.conveyor.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.internal.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * Fuzzed decoding (issue 10): the envelope decoder ({@link JobCodec#decode}) and the args decoder
 * ({@link ArgsCodec#decode}) read what came from a broker, i.e. anyone who can write to it. Whatever they are
 * given — random text, random bytes, valid envelopes with bytes cut, inserted or swapped, fields replaced by
 * arbitrary JSON — they either decode or throw their one typed error, never anything else (no Jackson
 * exception, NullPointerException, DateTimeException, StackOverflowError...).
 */
class DecodingFuzzTest {
    private static final ObjectMapper MAPPER = Json.mapper();
    private static final Instant T = Instant.parse("2026-11-25T15:00:00.123Z");

    record Point(int x, int y, String label, List<Integer> tags, Map<String, Double> weights, Instant at) {}

    private static String valid() {
        return JobCodec.encode(new Job("0193a0b0-0000-7000-8000-000000000001", "send_report", "emails",
                "{\"x\":1,\"y\":-2,\"label\":\"a\\\"b\",\"tags\":[1,2,3],\"weights\":{\"k\":1.5},\"at\":\"2026-11-25T15:00:00Z\"}",
                Map.of("traceparent", "00-abc-def-01"), 7, 2, 3, 5, 4, T.plusSeconds(30), T, T.plusSeconds(3600),
                Duration.ofSeconds(90), "report-42", Duration.ofMinutes(10), "parent-1", "group-1"));
    }

    /**
     * Decodes or throws CorruptJobException; a decoded job also encodes again. And the two paths of the decoder
     * agree: where the streamed one decodes, the tree one decodes the same job (args equal as JSON, decimals
     * exact); the streamed one never decodes what the tree one refuses.
     */
    private static void envelopeOnlyFailsTyped(String input) {
        DecodingFuzzTarget.pathsAgree(input);
        try {
            Job job = JobCodec.decode(input);
            assertThatCode(() -> JobCodec.encode(job)).as("re-encoding a decoded job").doesNotThrowAnyException();
        } catch (JobCodec.CorruptJobException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    /** Every field replaced by each awkward value, or left out: the two paths agree on every one (not left to chance). */
    @org.junit.jupiter.api.Test
    void theTwoPathsAgreeOnEveryFieldWithEveryKindOfValue() {
        String[] values = {"null", "true", "0", "-1", "1", "7", "2147483648", "9223372036854775808", "1.5", "1e2", "\"\"",
                "\"x\"", "\"2026-11-25T15:00:00Z\"", "\"2026-11-25T16:00:00+01:00\"", "\"yesterday\"", "[]", "[1]", "{}",
                "{\"k\":\"v\"}", "{\"k\":1}", "\"a b\"", "\"\\u0000\""};
        int decodedByBoth = 0;
        for (String field : List.of("v", "id", "task", "queue", "args", "headers", "priority", "attempt", "deliveries",
                "maxAttempts", "maxDeliveries", "runAt", "enqueuedAt", "expiresAt", "timeoutMs", "uniqueKey", "uniqueForMs",
                "parentId", "groupId")) {
            java.util.regex.Pattern at = java.util.regex.Pattern.compile("(,?\"" + field + "\":)(\"[^\"]*\"|\\{[^}]*\\}|[^,}]*)");
            envelopeOnlyFailsTyped(at.matcher(valid()).replaceFirst("")); // left out
            for (String value : values) {
                String envelope = at.matcher(valid()).replaceFirst("$1" + java.util.regex.Matcher.quoteReplacement(value));
                envelopeOnlyFailsTyped(envelope);
                if (DecodingFuzzTarget.pathsAgree(envelope)) decodedByBoth++;
            }
        }
        assertThat(decodedByBoth).as("envelopes the streamed path decoded (and the tree path agreed)").isGreaterThanOrEqualTo(70);
    }

    private static void argsOnlyFailTyped(String input) {
        try {
            assertThat(ArgsCodec.decode(MAPPER, "fuzz", input, Point.class)).isNotNull();
        } catch (ArgsCodec.MalformedArgsException expected) {
            assertThat(expected.getMessage()).startsWith("malformed args for task 'fuzz': ");
        }
    }

    @Property(tries = 2000)
    void arbitraryTextIsAJobOrACorruptJob(@ForAll @StringLength(max = 300) String s) {
        envelopeOnlyFailsTyped(s);
        argsOnlyFailTyped(s);
    }

    @Property(tries = 2000)
    void arbitraryBytesAreAJobOrACorruptJob(@ForAll @Size(max = 300) byte[] bytes) {
        envelopeOnlyFailsTyped(new String(bytes, StandardCharsets.UTF_8));
        envelopeOnlyFailsTyped(new String(bytes, StandardCharsets.ISO_8859_1));
        argsOnlyFailTyped(new String(bytes, StandardCharsets.UTF_8));
    }

    @Property(tries = 3000)
    void mutatedEnvelopesAreAJobOrACorruptJob(@ForAll("mutatedEnvelopes") String s) {
        envelopeOnlyFailsTyped(s);
    }

    @Property(tries = 3000)
    void envelopesWithAFieldReplacedAreAJobOrACorruptJob(@ForAll("envelopeFields") String field,
                                                          @ForAll("jsonValues") String value) {
        String envelope = valid().replaceFirst("(\"" + field + "\":)(\"[^\"]*\"|\\{[^}]*\\}|[^,}]*)",
                "$1" + java.util.regex.Matcher.quoteReplacement(value));
        envelopeOnlyFailsTyped(envelope);
    }

    @Property(tries = 3000)
    void mutatedArgsAreArgsOrMalformedArgs(@ForAll("mutatedArgs") String s) {
        argsOnlyFailTyped(s);
    }

    @Property(tries = 2000)
    void argsWithAFieldReplacedAreArgsOrMalformedArgs(@ForAll("argFields") String field, @ForAll("jsonValues") String value) {
        String args = "{\"x\":1,\"y\":2,\"label\":\"a\",\"tags\":[1],\"weights\":{},\"at\":\"2026-11-25T15:00:00Z\"}";
        argsOnlyFailTyped(args.replaceFirst("(\"" + field + "\":)(\"[^\"]*\"|\\{[^}]*\\}|\\[[^]]*\\]|[^,}]*)",
                "$1" + java.util.regex.Matcher.quoteReplacement(value)));
    }

    @Provide
    Arbitrary<String> envelopeFields() {
        return Arbitraries.of("v", "id", "task", "queue", "args", "headers", "priority", "attempt", "deliveries",
                "maxAttempts", "maxDeliveries", "runAt", "enqueuedAt", "expiresAt", "timeoutMs", "uniqueKey",
                "uniqueForMs", "parentId", "groupId");
    }

    @Provide
    Arbitrary<String> argFields() {
        return Arbitraries.of("x", "y", "label", "tags", "weights", "at");
    }

    /** Any JSON value, including the awkward ones: huge and negative numbers, odd instants, deep nesting. */
    @Provide
    Arbitrary<String> jsonValues() {
        Arbitrary<String> scalars = Arbitraries.oneOf(
                Arbitraries.of("null", "true", "false", "0", "-1", "1", "2147483648", "-2147483649",
                        "9223372036854775808", "-9223372036854775809", "1e308", "1e309", "-0.0", "NaN", "1.5",
                        "\"\"", "\"x\"", "\"2026-11-25T15:00:00Z\"", "\"+999999999-12-31T23:59:59Z\"",
                        "\"-999999999-01-01T00:00:00Z\"", "\"2026-02-30T00:00:00Z\"", "\"2026-11-25T15:00:00+18:00\"",
                        "\"\\u0000\"", "[]", "{}", "[null]", "{\"a\":null}", "1" + "0".repeat(999), "1" + "0".repeat(1001),
                        "0." + "1".repeat(1500), "\"" + "a".repeat(600) + "\"", "[".repeat(600) + "]".repeat(600)),
                Arbitraries.longs().map(l -> Long.toString(l)),
                Arbitraries.doubles().map(d -> Double.toString(d)).filter(d -> !d.contains("N") && !d.contains("I")),
                Arbitraries.strings().ofMaxLength(20).map(s -> MAPPER.valueToTree(s).toString()));
        return Arbitraries.oneOf(scalars, Combinators.combine(scalars, scalars).as((a, b) -> "[" + a + "," + b + "]"),
                Combinators.combine(scalars, scalars).as((a, b) -> "{\"k\":" + a + ",\"l\":" + b + "}"));
    }

    @Provide
    Arbitrary<String> mutatedEnvelopes() {
        return mutations(valid());
    }

    @Provide
    Arbitrary<String> mutatedArgs() {
        return mutations("{\"x\":1,\"y\":-2,\"label\":\"a\",\"tags\":[1,2,3],\"weights\":{\"k\":1.5},\"at\":\"2026-11-25T15:00:00Z\"}");
    }

    /** 1 to 4 edits of a valid document: delete a span, insert random or JSON-ish text, replace a character. */
    private static Arbitrary<String> mutations(String base) {
        Arbitrary<String> noise = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(8),
                Arbitraries.of("{", "}", "[", "]", ",", ":", "\"", "\\", "null", "-", "e9", "\\u", "\u0000", "\uD800", "9".repeat(30)));
        Arbitrary<int[]> edit = Combinators.combine(Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, base.length()), Arbitraries.integers().between(0, 12))
                .as((kind, at, len) -> new int[] {kind, at, len});
        return Combinators.combine(edit.list().ofMinSize(1).ofMaxSize(4), noise.list().ofSize(4)).as((edits, texts) -> {
            StringBuilder s = new StringBuilder(base);
            for (int i = 0; i < edits.size(); i++) {
                int[] e = edits.get(i);
                int at = Math.min(e[1], s.length());
                switch (e[0]) {
                    case 0 -> s.delete(at, Math.min(s.length(), at + e[2]));
                    case 1 -> s.insert(at, texts.get(i));
                    default -> {
                        if (at < s.length()) s.setCharAt(at, texts.get(i).isEmpty() ? ' ' : texts.get(i).charAt(0));
                    }
                }
            }
            return s.toString();
        });
    }

    // Deep nesting and huge numbers: refused with the limit named, at fetch (envelope and args alike).

    @Property(tries = 20)
    void nestingBeyondTheLimitIsACorruptJobNamingTheLimit(@ForAll("depths") int depth) {
        String args = "[".repeat(depth) + "]".repeat(depth);
        String envelope = "{\"v\":1,\"id\":\"x\",\"task\":\"t\",\"queue\":\"q\",\"enqueuedAt\":\"2026-11-25T15:00:00Z\",\"args\":" + args + "}";
        if (depth <= Json.MAX_NESTING_DEPTH) {
            assertThat(JobCodec.decode(envelope).args()).isEqualTo(args);
        } else {
            assertThatThrownBy(() -> JobCodec.decode(envelope)).isInstanceOf(JobCodec.CorruptJobException.class)
                    .hasMessageContaining("decoding limit").hasMessageContaining("nest at most " + Json.MAX_NESTING_DEPTH);
        }
    }

    @Provide
    Arbitrary<Integer> depths() {
        return Arbitraries.oneOf(Arbitraries.of(1, Json.MAX_NESTING_DEPTH - 1, Json.MAX_NESTING_DEPTH,
                Json.MAX_NESTING_DEPTH + 1, 100_000), Arbitraries.integers().between(1, 200_000));
    }

    @org.junit.jupiter.api.Test
    void deeplyNestedArgsAreMalformedArgsNamingTheLimit() {
        // In a property the args type does not know (skipped, but still read token by token)
        String deep = "{\"x\":1,\"y\":2,\"label\":\"a\",\"extra\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThatThrownBy(() -> ArgsCodec.decode(MAPPER, "fuzz", deep, Point.class))
                .isInstanceOf(ArgsCodec.MalformedArgsException.class)
                .hasMessageContaining("nesting at most " + Json.MAX_NESTING_DEPTH);
    }

    @org.junit.jupiter.api.Test
    void hugeNumbersAreRefusedWithTheLimitNamed() {
        String huge = "1".repeat(100_000);
        assertThatThrownBy(() -> JobCodec.decode("{\"v\":1,\"id\":\"x\",\"task\":\"t\",\"queue\":\"q\",\"args\":" + huge
                + ",\"enqueuedAt\":\"2026-11-25T15:00:00Z\"}"))
                .isInstanceOf(JobCodec.CorruptJobException.class).hasMessageContaining("numbers at most " + Json.MAX_NUMBER_LENGTH);
        assertThatThrownBy(() -> JobCodec.decode("{\"v\":" + huge + "}"))
                .isInstanceOf(JobCodec.CorruptJobException.class).hasMessageContaining("numbers at most");
        assertThatThrownBy(() -> ArgsCodec.decode(MAPPER, "fuzz", "{\"x\":" + huge + "}", Point.class))
                .isInstanceOf(ArgsCodec.MalformedArgsException.class).hasMessageContaining("numbers at most");
        // Within the limits, out of range for the field: still the typed error
        assertThatThrownBy(() -> JobCodec.decode("{\"v\":1,\"id\":\"x\",\"task\":\"t\",\"queue\":\"q\",\"args\":1,"
                + "\"enqueuedAt\":\"2026-11-25T15:00:00Z\",\"timeoutMs\":" + "9".repeat(500) + "}"))
                .isInstanceOf(JobCodec.CorruptJobException.class).hasMessageContaining("timeoutMs");
        assertThatThrownBy(() -> ArgsCodec.decode(MAPPER, "fuzz", "{\"x\":" + "9".repeat(500) + "}", Point.class))
                .isInstanceOf(ArgsCodec.MalformedArgsException.class);
    }

    @org.junit.jupiter.api.Test
    void javaSerializedBytesAreACorruptJobAndMalformedArgs() throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(new java.util.ArrayList<>(List.of("x")));
        }
        String s = new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> JobCodec.decode(s)).isInstanceOf(JobCodec.CorruptJobException.class);
        assertThatThrownBy(() -> ArgsCodec.decode(MAPPER, "fuzz", s, Point.class)).isInstanceOf(ArgsCodec.MalformedArgsException.class);
    }
}
