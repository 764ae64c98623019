package dev.conveyor.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The one JSON configuration Conveyor uses for args, results and envelopes. Not public API. */
public final class Json {
    private Json() {}

    /**
     * Deepest nesting of arrays and objects in args and results, read and written alike: a job that passes at
     * enqueue passes at fetch (the envelope adds one level, which its decoder allows). Untrusted input nested
     * deeper fails with Jackson's {@code StreamConstraintsException}, naming this limit, instead of a stack
     * overflow.
     */
    public static final int MAX_NESTING_DEPTH = 500;
    /** Longest number literal (digits) read: a 100,000-digit number costs quadratic time to parse. */
    public static final int MAX_NUMBER_LENGTH = 1000;

    /**
     * A factory whose readers refuse input nested deeper than {@code maxDepth} or with numbers longer than the limit.
     * Its parsers and generators take their buffers from one shared pool rather than a thread-local one: handlers
     * run on virtual threads, each new, so a thread-local pool allocated (and zeroed) 16 KB of fresh buffers for
     * every job's args; the shared pool halved the cost of decoding small args on a virtual thread (about 1 µs a
     * job, docs/BENCHMARKS.md).
     */
    public static JsonFactory factory(int maxDepth) {
        return JsonFactory.builder()
                .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth)
                        .maxNumberLength(MAX_NUMBER_LENGTH).build())
                .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(maxDepth).build())
                .build();
    }

    /**
     * A mapper for task args and results. Unknown properties are ignored so a producer may add a field
     * before every worker knows it (schema evolution); a missing primitive is an error, not a silent 0.
     */
    public static ObjectMapper newMapper() {
        return newMapper(MAX_NESTING_DEPTH);
    }

    /** The same with another nesting limit (the envelope decoder's is one deeper: the envelope wraps the args). */
    public static ObjectMapper newMapper(int maxDepth) {
        return JsonMapper.builder(factory(maxDepth))
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /**
     * A mapper whose trees keep decimals exact ({@code BigDecimal}, trailing zeros kept), for JSON text that is read
     * only to be checked or combined and then written out again (envelopes, args given as JSON, schedules, workflow
     * specs and results): read as doubles, {@code 0.12345678901234567890123} came back rounded and {@code 1E400} as
     * the string {@code "Infinity"}. Its readers throw {@link NumberFormatException} for a decimal whose exponent a
     * {@code BigDecimal} cannot hold; see {@link #readExact}.
     */
    public static ObjectMapper newExactMapper(int maxDepth) {
        ObjectMapper m = newMapper(maxDepth).enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        m.configure(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
        return m;
    }

    private static final ObjectMapper SHARED = newMapper();
    private static final ObjectMapper EXACT = newExactMapper(MAX_NESTING_DEPTH);

    /** How {@link #readExact} words a decimal whose exponent a {@code BigDecimal} cannot hold. */
    public static final String NUMBER_OUT_OF_RANGE = "a number whose exponent is out of range";

    /**
     * Reads JSON text into a tree with its decimals exact (see {@link #newExactMapper}); a number whose exponent is
     * out of range is a {@link com.fasterxml.jackson.core.JsonParseException} like any other unreadable input.
     */
    public static com.fasterxml.jackson.databind.JsonNode readExact(String json) throws JsonProcessingException {
        return readExact(EXACT, json);
    }

    /** {@link #readExact(String)} with a mapper of {@link #newExactMapper} (another nesting limit). */
    public static com.fasterxml.jackson.databind.JsonNode readExact(ObjectMapper exact, String json)
            throws JsonProcessingException {
        try {
            return exact.readTree(json);
        } catch (NumberFormatException e) {
            throw new com.fasterxml.jackson.core.JsonParseException(null, NUMBER_OUT_OF_RANGE + " (" + e.getMessage() + ")");
        }
    }

    /** The shared default mapper (thread-safe once configured). */
    public static ObjectMapper mapper() {
        return SHARED;
    }
}
