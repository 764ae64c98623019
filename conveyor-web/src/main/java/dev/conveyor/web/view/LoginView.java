package dev.conveyor.web.view;

/** The login form: a token, or a user name and password. */
public final class LoginView {
    private LoginView() {}

    /** @param error a reason to show (wrong login), or null */
    public static String render(String error) {
        StringBuilder h = new StringBuilder();
        if (error != null) h.append("<p class=\"error\" id=\"login-error\">").append(Html.esc(error)).append("</p>");
        h.append("<form method=\"post\" action=\"/login\" class=\"login\" id=\"login-form\">")
                .append("<label>Token <input type=\"password\" name=\"token\" id=\"token\" autocomplete=\"off\"></label>")
                .append("<p class=\"muted\">or</p>")
                .append("<label>User <input type=\"text\" name=\"username\" id=\"username\" autocomplete=\"username\"></label>")
                .append("<label>Password <input type=\"password\" name=\"password\" id=\"password\" autocomplete=\"current-password\"></label>")
                .append("<button type=\"submit\" id=\"login\">Log in</button></form>")
                .append("<p class=\"muted\">The token is printed when the dashboard starts, unless one was configured.</p>");
        return h.toString();
    }
}
