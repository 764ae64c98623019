package dev.conveyor.web.view;

import dev.conveyor.web.auth.Principal;

/**
 * The shell every page shares: head (the module's own CSS and JS, nothing inline, so the strict CSP holds),
 * navigation, who is logged in with the logout form, an optional notice, then the page's body.
 */
public final class Page {
    private Page() {}

    /** The navigation: path and label. */
    private static final String[][] NAV = {
        {"/", "Overview"}, {"/jobs", "Jobs"}, {"/dead", "Dead letters"}, {"/schedules", "Schedules"},
        {"/workers", "Workers"}, {"/audit", "Audit log"}
    };

    /**
     * A whole page.
     *
     * @param title  shown in the title bar and as the heading (escaped here)
     * @param active the nav path to highlight
     * @param user   the logged-in principal, or null on the login page
     * @param csrf   the session's CSRF token (for the logout form and the page's own forms), or null
     * @param notice a one-line message after an action (escaped here), or null
     * @param body   the page's HTML, already escaped by its builder
     */
    public static String render(String title, String active, Principal user, String csrf, String notice, String body) {
        StringBuilder h = new StringBuilder(body.length() + 2048);
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(Html.esc(title)).append(" · Conveyor</title>")
                .append("<link rel=\"stylesheet\" href=\"/static/dashboard.css\">")
                .append("<script src=\"/static/dashboard.js\" defer></script>");
        if (csrf != null) h.append("<meta name=\"csrf-token\" content=\"").append(Html.esc(csrf)).append("\">");
        h.append("</head><body><header><a class=\"brand\" href=\"/\">Conveyor</a>");
        if (user != null) {
            h.append("<nav>");
            for (String[] n : NAV) {
                h.append("<a href=\"").append(n[0]).append('"').append(n[0].equals(active) ? " class=\"active\"" : "")
                        .append('>').append(n[1]).append("</a>");
            }
            h.append("</nav><div class=\"who\">").append(Html.esc(user.name())).append(" <span class=\"role\">")
                    .append(Html.esc(user.role().label())).append("</span>");
            if (csrf != null) {
                h.append("<form method=\"post\" action=\"/logout\" class=\"inline\">").append(Forms.csrf(csrf))
                        .append("<button type=\"submit\" class=\"link\">Log out</button></form>");
            }
            h.append("</div>");
        }
        h.append("</header><main><h1>").append(Html.esc(title)).append("</h1>");
        if (notice != null && !notice.isBlank()) h.append("<p class=\"notice\" id=\"notice\">").append(Html.esc(notice)).append("</p>");
        h.append(body).append("</main></body></html>");
        return h.toString();
    }
}
