package dev.conveyor.web.view;

/**
 * Small HTML form pieces: the hidden CSRF field every state-changing form carries, and a one-button POST form.
 * Destructive buttons carry {@code data-confirm}; the dashboard's script asks before submitting them (no inline
 * handlers: the CSP forbids them).
 */
public final class Forms {
    private Forms() {}

    /** The hidden field with the session's CSRF token. */
    public static String csrf(String token) {
        return "<input type=\"hidden\" name=\"_csrf\" value=\"" + Html.esc(token) + "\">";
    }

    /**
     * A form with one button that POSTs to {@code action} and comes back to {@code back}.
     *
     * @param confirm a question to ask first, or null
     * @param hidden  extra hidden fields as name, value pairs
     */
    public static String button(String action, String label, String back, String csrf, String confirm, String... hidden) {
        StringBuilder h = new StringBuilder("<form method=\"post\" class=\"inline\" action=\"").append(Html.esc(action)).append("\">")
                .append(csrf(csrf)).append("<input type=\"hidden\" name=\"_back\" value=\"").append(Html.esc(back)).append("\">");
        for (int i = 0; i + 1 < hidden.length; i += 2) {
            h.append("<input type=\"hidden\" name=\"").append(Html.esc(hidden[i])).append("\" value=\"")
                    .append(Html.esc(hidden[i + 1])).append("\">");
        }
        h.append("<button type=\"submit\"");
        if (confirm != null) h.append(" class=\"danger\" data-confirm=\"").append(Html.esc(confirm)).append('"');
        return h.append('>').append(Html.esc(label)).append("</button></form>").toString();
    }
}
