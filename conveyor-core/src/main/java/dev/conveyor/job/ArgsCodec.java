package dev.conveyor.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.internal.Json;

/**
 * Turns a job's args (JSON text from the broker: untrusted) into the task's args type. Every problem — not
 * JSON, the wrong shape, null, nested deeper or with longer numbers than {@link Json}'s limits, a record
 * constructor that refuses the values — is a {@link MalformedArgsException}; nothing else escapes. Only the
 * task's declared type is ever built: Jackson's polymorphic typing is off, and no class is named by the data.
 */
public final class ArgsCodec {
    private ArgsCodec() {}

    /** The args of a job cannot be decoded for its task; the message says why (starts {@code malformed args for task}). */
    public static final class MalformedArgsException extends RuntimeException {
        public MalformedArgsException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static <T> T decode(ObjectMapper mapper, String task, String json, Class<T> type) {
        T args;
        try {
            args = mapper.readValue(json, type);
        } catch (StreamConstraintsException e) {
            throw malformed(task, "exceed a decoding limit (nesting at most " + Json.MAX_NESTING_DEPTH
                    + " levels, numbers at most " + Json.MAX_NUMBER_LENGTH + " digits): " + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw malformed(task, e.getOriginalMessage(), e);
        } catch (RuntimeException e) {
            throw malformed(task, String.valueOf(e.getMessage()), e);
        }
        if (args == null) throw malformed(task, "args are null; expected " + type.getSimpleName(), null);
        return args;
    }

    private static MalformedArgsException malformed(String task, String why, Throwable cause) {
        String line = why == null ? "" : why.replaceAll("\\s+", " ").trim();
        return new MalformedArgsException("malformed args for task '" + task + "': " + line, cause);
    }
}
