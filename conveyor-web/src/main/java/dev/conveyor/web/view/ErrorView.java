package dev.conveyor.web.view;

/** A failed request as a page: the status, a one-line reason, a way back. */
public final class ErrorView {
    private ErrorView() {}

    public static String title(int status) {
        return switch (status) {
            case 400 -> "Bad request";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 409 -> "Conflict";
            case 501 -> "Not available on this broker";
            default -> "Error " + status;
        };
    }

    public static String render(int status, String message) {
        return "<p class=\"error\" id=\"error\" data-status=\"" + status + "\">" + Html.esc(message) + "</p>"
                + "<p><a href=\"/\">Back to the overview</a></p>";
    }
}
