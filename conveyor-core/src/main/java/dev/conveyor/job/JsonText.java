package dev.conveyor.job;

/**
 * JSON text written by hand for the envelope encoder: strings escaped exactly as Jackson's generator escapes them
 * by default — {@code "} and {@code \} with a backslash, {@code \b \t \n \f \r} by their short forms, the other
 * control characters below U+0020 as a backslash, {@code u00} and two upper-case hex digits, everything else as it is — so the
 * envelope's text does not depend on which of the two wrote it.
 */
final class JsonText {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private JsonText() {}

    /** Appends {@code ,"name":"value"}, or {@code ,"name":null}; {@code name} needs no escaping. */
    static void field(StringBuilder b, String name, String value) {
        b.append(",\"").append(name).append("\":");
        if (value == null) b.append("null");
        else string(b, value);
    }

    /** Appends {@code s} as a JSON string, quoted and escaped. */
    static StringBuilder string(StringBuilder b, String s) {
        b.append('"');
        int n = s.length();
        int plain = 0; // start of the run of characters that need no escape
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            b.append(s, plain, i);
            plain = i + 1;
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\f' -> b.append("\\f");
                case '\r' -> b.append("\\r");
                default -> b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return b.append(s, plain, n).append('"');
    }
}
