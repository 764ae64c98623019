package dev.conveyor.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.web.auth.Guard;
import dev.conveyor.web.auth.Principal;
import dev.conveyor.web.auth.Sessions;
import io.javalin.http.Context;
import java.util.regex.Pattern;

/** Reading a request: who asked, their CSRF token, parameters from a form, a JSON body or the query string. */
final class Req {
    /** Largest page a listing returns, whatever {@code size} asks for. */
    static final int MAX_PAGE = 200;
    static final int DEFAULT_PAGE = 50;
    /** A local path to come back to after a form: no scheme, no host, no "//". */
    private static final Pattern LOCAL_PATH = Pattern.compile("/(?!/)[A-Za-z0-9/_.~%?&=+:,-]{0,500}");
    private static final String BODY = "conveyor.body";

    private Req() {}

    static Principal principal(Context ctx) {
        return ctx.attribute(Guard.PRINCIPAL);
    }

    /** The session's CSRF token, or null when the request came with a bearer token. */
    static String csrf(Context ctx) {
        Sessions.Session s = ctx.attribute(Guard.SESSION);
        return s == null ? null : s.csrf();
    }

    /** A parameter from the form, else the JSON body, else the query string; null or blank reads as null. */
    static String param(Context ctx, String name, ObjectMapper mapper) {
        String v = null;
        String type = ctx.contentType();
        if (type != null && type.startsWith("application/json")) {
            JsonNode body = ctx.attribute(BODY);
            if (body == null) {
                try {
                    body = mapper.readTree(ctx.body());
                } catch (Exception e) {
                    throw HttpProblem.badRequest("the body is not JSON");
                }
                if (body == null) body = mapper.createObjectNode();
                ctx.attribute(BODY, body);
            }
            JsonNode n = body.get(name);
            if (n != null && !n.isNull()) v = n.isTextual() ? n.textValue() : n.toString();
        } else if (type != null && type.startsWith("application/x-www-form-urlencoded")) {
            v = ctx.formParam(name);
        }
        if (v == null) v = ctx.queryParam(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** True for a browser form post (answered with a redirect) rather than an API call (answered with JSON). */
    static boolean isForm(Context ctx) {
        String type = ctx.contentType();
        return type != null && type.startsWith("application/x-www-form-urlencoded");
    }

    /** Where a form asked to come back to, if it is a local path; else {@code fallback}. */
    static String back(Context ctx, String fallback) {
        String b = ctx.formParam("_back");
        return b != null && LOCAL_PATH.matcher(b).matches() ? b : fallback;
    }

    /** The page size asked for, clamped to 1–{@value #MAX_PAGE} (a size of 10^9 gets {@value #MAX_PAGE}). */
    static int size(Context ctx) {
        String s = ctx.queryParam("size");
        if (s == null || s.isBlank()) return DEFAULT_PAGE;
        try {
            return (int) Math.clamp(Long.parseLong(s.trim()), 1, MAX_PAGE);
        } catch (NumberFormatException e) {
            return s.trim().matches("\\d+") ? MAX_PAGE : DEFAULT_PAGE; // longer than a long: as large as allowed
        }
    }

    static boolean flag(String v) {
        return v != null && (v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("on") || v.equalsIgnoreCase("yes"));
    }
}
