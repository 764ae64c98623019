package dev.conveyor.redis;

import io.lettuce.core.codec.RedisCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Keys and values as UTF-8 text, like Lettuce's {@code StringCodec.UTF8}, but each one turned into bytes by
 * {@link String#getBytes} and copied into Netty's buffer in one piece. {@code StringCodec} writes a string into the
 * (direct) buffer character by character, and on JDK 25, where Netty runs without {@code sun.misc.Unsafe}, every
 * byte went through the buffer's bounds and session checks: encoding the commands' arguments (the jobs' envelopes)
 * was 6.6 % of the broker's JVM time at full load (docs/BENCHMARKS.md). Decoding copies the reply's bytes out once
 * and builds the string from them.
 */
final class Utf8Codec implements RedisCodec<String, String> {
    static final Utf8Codec INSTANCE = new Utf8Codec();
    private static final byte[] NONE = new byte[0];

    private Utf8Codec() {}

    @Override
    public String decodeKey(ByteBuffer bytes) {
        return decode(bytes);
    }

    @Override
    public String decodeValue(ByteBuffer bytes) {
        return decode(bytes);
    }

    @Override
    public ByteBuffer encodeKey(String key) {
        return encode(key);
    }

    @Override
    public ByteBuffer encodeValue(String value) {
        return encode(value);
    }

    private static ByteBuffer encode(String s) {
        return ByteBuffer.wrap(s == null ? NONE : s.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(ByteBuffer bytes) {
        if (bytes == null) return null;
        if (bytes.hasArray()) {
            return new String(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining(), StandardCharsets.UTF_8);
        }
        byte[] copy = new byte[bytes.remaining()];
        bytes.duplicate().get(copy); // the reader's position stays where Lettuce left it
        return new String(copy, StandardCharsets.UTF_8);
    }
}
