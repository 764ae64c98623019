package dev.conveyor.web.view;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Escaping for HTML text and attributes, and URL components. Every value that comes from a job, a queue name,
 * an error or a request goes through {@link #esc} before it reaches a page: job data is untrusted input (a
 * producer in any language may enqueue {@code <script>} as args), and this is the one place that makes it text.
 */
public final class Html {
    private Html() {}

    /** {@code s} escaped for HTML text and double- or single-quoted attribute values; null reads as empty. */
    public static String esc(Object value) {
        if (value == null) return "";
        String s = value.toString();
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code s} encoded for a URL path segment or query value. */
    public static String url(Object value) {
        return value == null ? "" : URLEncoder.encode(value.toString(), StandardCharsets.UTF_8).replace("+", "%20");
    }
}
