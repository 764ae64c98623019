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

    private static final ObjectMapper EXACT = Json.newExactMapper(JobCodec.MAX_ENVELOPE_DEPTH);

    /**
     * The envelope decoder's two paths agree: what the streamed one decodes, the tree one decodes to the same job
     * (the args equal as JSON, decimals exact). A disagreement is a finding (an IllegalStateException). Returns
     * whether the streamed path decoded it.
     */
    static boolean pathsAgree(String text) {
        if (text.isBlank() || text.length() > JobCodec.MAX_ENVELOPE_CHARS) return false;
        Job streamed = JobCodec.decodeStreamed(text);
        if (streamed == null) return false;
        Job tree;
        try {
            tree = JobCodec.decodeTree(text);
        } catch (JobCodec.CorruptJobException e) {
            // The one refusal that may differ: a decimal whose exponent BigDecimal cannot hold, which the streamed path
            // copies into the args as written (the handler's mapper decides about it).
            if (e.getMessage().contains(Json.NUMBER_OUT_OF_RANGE)) return true;
            throw new IllegalStateException("the streamed path decoded what the tree path refuses: " + e.getMessage());
        }
        try {
            if (!EXACT.readTree(streamed.args()).equals(EXACT.readTree(tree.args()))) {
                throw new IllegalStateException("args differ: " + streamed.args() + " / " + tree.args());
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the streamed path's args are not JSON: " + streamed.args(), e);
        }
        Job s = streamed;
        Job same = new Job(s.id(), s.task(), s.queue(), tree.args(), s.headers(), s.priority(), s.attempt(), s.deliveries(),
                s.maxAttempts(), s.maxDeliveries(), s.runAt(), s.enqueuedAt(), s.expiresAt(), s.timeout(), s.uniqueKey(),
                s.uniqueFor(), s.parentId(), s.groupId());
        if (!same.equals(tree)) throw new IllegalStateException("the two paths decoded different jobs: " + same + " / " + tree);
        return true;
    }

    public static void fuzzerTestOneInput(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        try {
            Job job = JobCodec.decode(text);
            JobCodec.encode(job); // what decodes must encode again
        } catch (JobCodec.CorruptJobException expected) {
            // the one typed error
        }
        pathsAgree(text);
        try {
            ArgsCodec.decode(MAPPER, "fuzz", text, Point.class);
        } catch (ArgsCodec.MalformedArgsException expected) {
            // the one typed error
        }
    }
}
