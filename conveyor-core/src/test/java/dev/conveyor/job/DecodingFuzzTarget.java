package dev.conveyor.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.internal.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A coverage-guided fuzz target for the two decoders that read what came from a broker: the envelope decoder
 * ({@link JobCodec#decode}) and the args decoder ({@link ArgsCodec#decode}). Jazzer calls
 * {@link #fuzzerTestOneInput} with inputs it mutates toward new code paths; each one must decode or throw the
 * decoder's one typed error. Anything else escaping (a Jackson exception, NullPointerException,
 * DateTimeException, StackOverflowError...) is a finding. Run it with {@code scripts/fuzz [seconds]}; the
 * jqwik properties beside it ({@code DecodingFuzzTest}) are the random, not coverage-guided, half.
 */
public final class DecodingFuzzTarget {
    private static final ObjectMapper MAPPER = Json.mapper();

    /** The args type the fuzzer decodes into: every kind of field a handler's record has. */
    public record Point(int x, int y, String label, List<Integer> tags, Map<String, Double> weights, Instant at) {}

    private DecodingFuzzTarget() {}

    public static void fuzzerTestOneInput(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        try {
            Job job = JobCodec.decode(text);
            JobCodec.encode(job); // what decodes must encode again
        } catch (JobCodec.CorruptJobException expected) {
            // the one typed error
        }
        try {
            ArgsCodec.decode(MAPPER, "fuzz", text, Point.class);
        } catch (ArgsCodec.MalformedArgsException expected) {
            // the one typed error
        }
    }
}
