package dev.conveyor.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobCodecTest {
    private static final Instant T = Instant.parse("2026-11-25T15:00:00.123Z");

    private static Job full() {
        return new Job("0193a0b0-0000-7000-8000-000000000001", "send_report", "emails", "{\"userId\":42}",
                Map.of("traceparent", "00-abc-def-01"), 7, 2, 3, 5, 4, T.plusSeconds(30), T, T.plusSeconds(3600),
                Duration.ofSeconds(90), "report-42", Duration.ofMinutes(10), "parent-1", "group-1");
    }

    /** The envelope as Jackson writes it from a tree (the args parsed into it): the reference. */
    private static String encodeAsTree(Job job) throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var n = mapper.createObjectNode();
        n.put("v", Job.PROTOCOL_VERSION);
        n.put("id", job.id());
        n.put("task", job.task());
        n.put("queue", job.queue());
        n.set("args", mapper.readTree(job.args()));
        var headers = n.putObject("headers");
        job.headers().forEach(headers::put);
        n.put("priority", job.priority());
        n.put("attempt", job.attempt());
        n.put("deliveries", job.deliveries());
        n.put("maxAttempts", job.maxAttempts());
        n.put("maxDeliveries", job.maxDeliveries());
        n.put("runAt", dev.conveyor.internal.Instants.format(job.runAt()));
        n.put("enqueuedAt", dev.conveyor.internal.Instants.format(job.enqueuedAt()));
        n.put("expiresAt", job.expiresAt() == null ? null : dev.conveyor.internal.Instants.format(job.expiresAt()));
        if (job.timeout() == null) n.putNull("timeoutMs"); else n.put("timeoutMs", job.timeout().toMillis());
        n.put("uniqueKey", job.uniqueKey());
        if (job.uniqueFor() == null) n.putNull("uniqueForMs"); else n.put("uniqueForMs", job.uniqueFor().toMillis());
        n.put("parentId", job.parentId());
        n.put("groupId", job.groupId());
        return n.toString();
    }

    private static Job withArgs(Job j, String args) {
        return new Job(j.id(), j.task(), j.queue(), args, j.headers(), j.priority(), j.attempt(), j.deliveries(),
                j.maxAttempts(), j.maxDeliveries(), j.runAt(), j.enqueuedAt(), j.expiresAt(), j.timeout(), j.uniqueKey(),
                j.uniqueFor(), j.parentId(), j.groupId());
    }

    @Test
    void roundTripsEveryField() {
        Job job = full();
        assertThat(JobCodec.decode(JobCodec.encode(job))).isEqualTo(job);
    }

    /** Random jobs, args as Jackson writes them: the envelope written by hand is exactly the one Jackson writes from a tree. */
    @Test
    void theEnvelopeIsExactlyTheOneJacksonWrites() throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        String[] texts = {"", "plain", "quote \" and \\ backslash", "tab\tnewline\n", "\u0001\u001f control", "ünïcødé ✓",
                "emoji \uD83D\uDE00", "</script>", "a\u2028b",
                "bs\b ff\f cr\r del\u007f nul\u0000 /slash"};
        for (int i = 0; i < 2_000; i++) {
            Map<String, Object> args = new java.util.LinkedHashMap<>();
            int fields = r.nextInt(4);
            for (int f = 0; f < fields; f++) {
                Object v = switch (r.nextInt(6)) {
                    case 0 -> texts[r.nextInt(texts.length)];
                    case 1 -> r.nextLong();
                    case 2 -> r.nextDouble() * 1e6;
                    case 3 -> java.util.List.of(r.nextInt(100), texts[r.nextInt(texts.length)], java.util.Map.of("k", r.nextBoolean()));
                    case 4 -> null;
                    default -> r.nextBoolean();
                };
                args.put(texts[r.nextInt(texts.length)] + f, v);
            }
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            for (int h = r.nextInt(3); h > 0; h--) headers.put("h" + h + texts[r.nextInt(texts.length)], texts[r.nextInt(texts.length)]);
            boolean some = r.nextBoolean();
            Instant at = T.plusMillis(r.nextLong(1_000_000_000L)).plusNanos(r.nextInt(1_000_000));
            Job job = new Job("id-" + i + texts[r.nextInt(texts.length)], "task", "q", mapper.writeValueAsString(args), headers,
                    r.nextInt(10), r.nextInt(5), r.nextInt(5), 1 + r.nextInt(9), 1 + r.nextInt(9), at, T,
                    some ? at.plusSeconds(60) : null, some ? Duration.ofMillis(r.nextInt(100_000)) : null,
                    some ? "key-" + texts[r.nextInt(texts.length)] : null, some ? Duration.ofSeconds(r.nextInt(1000)) : null,
                    some ? "parent" : null, some ? "group" : null);
            String written = JobCodec.encode(job);
            assertThat(written).as(job.toString()).isEqualTo(encodeAsTree(job));
            assertThat(JobCodec.decode(written)).isEqualTo(job);
        }
    }

    @Test
    void argsWithSpacesStayValidAndArgsThatAreNotOneJsonValueAreRefused() {
        Job spaced = withArgs(full(), " { \"userId\" : [ 1 , 2 ] } ");
        // as written, from the opening bracket to the closing one (the SQL brokers keep args as written too)
        assertThat(JobCodec.decode(JobCodec.encode(spaced)).args()).isEqualTo("{ \"userId\" : [ 1 , 2 ] }");
        // not one value: refused, as before
        assertThatThrownBy(() -> JobCodec.encode(withArgs(full(), "1 2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has args that are not JSON");
        assertThatThrownBy(() -> JobCodec.encode(withArgs(full(), "{\"userId\":")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has args that are not JSON");
    }

    /** Decimals come back digit for digit: read as doubles they came back rounded, and 1E400 as "Infinity". */
    @Test
    void argsComeBackExactlyAsWritten() {
        String args = "{\"amount\":0.12345678901234567890123,\"huge\":1E400,\"price\":1.50,\"n\":-0,\"big\":123456789012345678901234567890}";
        String envelope = JobCodec.encode(withArgs(full(), args));
        assertThat(JobCodec.decode(envelope).args()).isEqualTo(args);
        assertThat(JobCodec.decodeStreamed(envelope).args()).isEqualTo(args);
        // the tree path (envelopes the streamed one leaves to it) keeps the digits too
        assertThat(JobCodec.decodeTree(envelope).args())
                .isEqualTo("{\"amount\":0.12345678901234567890123,\"huge\":1E+400,\"price\":1.50,\"n\":0,\"big\":123456789012345678901234567890}");
        for (String scalar : new String[] {"0.10000000000000000000001", "-12", "true", "false", "null", "\"a\\\"b\\u0001\""}) {
            assertThat(JobCodec.decode(JobCodec.encode(withArgs(full(), scalar))).args()).as(scalar)
                    .isEqualTo(scalar); // a string is written anew: here, with the same escapes
        }
    }

    /** Found by scripts/fuzz: a decimal whose exponent BigDecimal cannot hold is a corrupt envelope, never a crash. */
    @Test
    void aNumberBeyondBigDecimalIsACorruptJobNotACrash() {
        assertThatThrownBy(() -> JobCodec.decode("72e55552225555")).isInstanceOf(JobCodec.CorruptJobException.class)
                .hasMessageContaining("exponent is out of range");
        String base = "{\"v\":1,\"id\":\"x1\",\"task\":\"t\",\"queue\":\"q\",\"enqueuedAt\":\"2026-11-25T15:00:00Z\",";
        // in the args of a common envelope: copied as written (the handler's mapper decides)
        assertThat(JobCodec.decode(base + "\"args\":{\"a\":72e55552225555}}").args()).isEqualTo("{\"a\":72e55552225555}");
        // in an envelope the tree path reads (a field given twice): refused, typed
        assertThatThrownBy(() -> JobCodec.decode(base + "\"priority\":1,\"priority\":2,\"args\":{\"a\":72e55552225555}}"))
                .isInstanceOf(JobCodec.CorruptJobException.class).hasMessageContaining("exponent is out of range");
    }

    /** What the streamed path leaves to the tree path still decodes, the tree's way. */
    @Test
    void envelopesOutsideTheCommonFormStillDecode() {
        String dup = "{\"v\":1,\"id\":\"x1\",\"task\":\"t\",\"queue\":\"q\",\"args\":[1],\"priority\":3,\"priority\":4,"
                + "\"enqueuedAt\":\"2026-11-25T15:00:00Z\",\"headers\":{\"a\":\"1\",\"a\":\"2\"}}";
        assertThat(JobCodec.decodeStreamed(dup)).isNull();
        Job job = JobCodec.decode(dup);
        assertThat(job.priority()).isEqualTo(4); // the last one, as before
        assertThat(job.headers()).containsExactly(Map.entry("a", "2"));
    }

    @Test
    void encodesArgsAsJsonNotAsAString() {
        assertThat(JobCodec.encode(full())).contains("\"args\":{\"userId\":42}").contains("\"v\":1");
    }

    @Test
    void minimalEnvelopeTakesDefaults() {
        Job job = JobCodec.decode("""
                {"v":1,"id":"x1","task":"t","queue":"default","args":[1,2],"enqueuedAt":"2026-11-25T15:00:00Z"}""");
        assertThat(job.priority()).isEqualTo(5);
        assertThat(job.attempt()).isZero();
        assertThat(job.deliveries()).isZero();
        assertThat(job.maxAttempts()).isEqualTo(JobCodec.DEFAULT_MAX_ATTEMPTS);
        assertThat(job.maxDeliveries()).isEqualTo(JobCodec.DEFAULT_MAX_DELIVERIES);
        assertThat(job.runAt()).isEqualTo(job.enqueuedAt());
        assertThat(job.args()).isEqualTo("[1,2]");
        assertThat(job.headers()).isEmpty();
        assertThat(job.timeout()).isNull();
    }

    @Test
    void acceptsOffsetsAndUnknownFields() {
        Job job = JobCodec.decode("""
                {"v":1,"id":"x1","task":"t","queue":"q","args":null,"enqueuedAt":"2026-11-25T16:00:00+01:00","future":true}""");
        assertThat(job.enqueuedAt()).isEqualTo(Instant.parse("2026-11-25T15:00:00Z"));
        assertThat(job.args()).isEqualTo("null");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json                                                            | envelope is not valid JSON",
            "[1]                                                                 | envelope must be a JSON object",
            "{}                                                                  | missing field 'v'",
            "{'v':2}                                                             | unsupported protocol version 2",
            "{'v':1,'id':'a','queue':'q','args':1,'enqueuedAt':'2026-01-01T00:00:00Z'} | missing field 'task'",
            "{'v':1,'id':'a','task':7,'queue':'q','args':1,'enqueuedAt':'2026-01-01T00:00:00Z'} | field 'task' must be a string, was number",
            "{'v':1,'id':'a','task':'t','queue':'q','enqueuedAt':'2026-01-01T00:00:00Z'} | missing field 'args'",
            "{'v':1,'id':'a','task':'t','queue':'q','args':1}                    | missing field 'enqueuedAt'",
            "{'v':1,'id':'a','task':'t','queue':'q','args':1,'enqueuedAt':'yesterday'} | field 'enqueuedAt' is not an RFC 3339 instant",
            "{'v':1,'id':'a','task':'t','queue':'q','args':1,'enqueuedAt':'2026-01-01T00:00:00Z','priority':'high'} | field 'priority' must be an integer, was string",
            "{'v':1,'id':'a','task':'t','queue':'q','args':1,'enqueuedAt':'2026-01-01T00:00:00Z','priority':12} | priority must be between 0 and 9",
            "{'v':1,'id':'a','task':'t','queue':'a b','args':1,'enqueuedAt':'2026-01-01T00:00:00Z'} | queue must match",
            "{'v':1,'id':'a','task':'t','queue':'q','args':1,'enqueuedAt':'2026-01-01T00:00:00Z','headers':{'h':1}} | header 'h' must be a string",
            "{'v':1,'id':'a','task':'t','queue':'q','args':1,'enqueuedAt':'2026-01-01T00:00:00Z','timeoutMs':1.5} | field 'timeoutMs' must be an integer number of milliseconds",
    })
    void rejectsBadEnvelopesNamingTheProblem(String envelope, String message) {
        assertThatThrownBy(() -> JobCodec.decode(envelope.replace('\'', '"')))
                .isInstanceOf(JobCodec.CorruptJobException.class)
                .hasMessageContaining(message);
    }

    @Test
    void rejectsOversizedEnvelopes() {
        String big = "{\"v\":1,\"pad\":\"" + "x".repeat(JobCodec.MAX_ENVELOPE_CHARS) + "\"}";
        assertThatThrownBy(() -> JobCodec.decode(big)).hasMessageContaining("the limit is");
    }
}
