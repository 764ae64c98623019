package dev.conveyor.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The one JSON configuration Conveyor uses for args, results and envelopes. Not public API. */
public final class Json {
    private Json() {}

    /**
     * A mapper for task args and results. Unknown properties are ignored so a producer may add a field
     * before every worker knows it (schema evolution); a missing primitive is an error, not a silent 0.
     */
    public static ObjectMapper newMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    private static final ObjectMapper SHARED = newMapper();

    /** The shared default mapper (thread-safe once configured). */
    public static ObjectMapper mapper() {
        return SHARED;
    }
}
