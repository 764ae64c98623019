package dev.conveyor.web;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.web.auth.Role;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A dashboard on a private memory broker, with an operator and a viewer token, and an HTTP client for tests. */
final class TestServer implements AutoCloseable {
    static final String OPERATOR = "operator-token-0123456789";
    static final String VIEWER = "viewer-token-0123456789ab";
    static final String USER = "alice";
    static final String PASSWORD = "correct horse battery";

    record Args(String name, String password, String note) {}

    static final Task<Args, Void> ECHO = Task.named("echo", Args.class).sensitive("password").action(a -> {});
    static final Task<Args, Void> BOOM = Task.named("boom", Args.class).maxAttempts(1).sensitive("password")
            .action(a -> {
                throw new IllegalStateException("<script>alert('error')</script> " + a.note());
            });

    final Conveyor conveyor;
    final ConveyorDashboard dashboard;
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    TestServer(Path auditFile) {
        conveyor = Conveyor.builder().broker("memory:").task(ECHO).task(BOOM).build();
        dashboard = ConveyorDashboard.builder().conveyor(conveyor).port(0).token(OPERATOR).viewerToken(VIEWER)
                .user(USER, PASSWORD, Role.OPERATOR).auditFile(auditFile).start();
    }

    String base() {
        return dashboard.url();
    }

    HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path.substring(1))).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> getWithCookie(String path, String cookie) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path.substring(1))).header("Cookie", cookie).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postJson(String path, String token, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path.substring(1)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postForm(String path, String cookie, Map<String, String> form) throws IOException, InterruptedException {
        String body = form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path.substring(1)))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) b.header("Cookie", cookie);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Logs in with user and password; returns the session cookie ("name=value"). */
    String login() throws IOException, InterruptedException {
        HttpResponse<String> r = postForm("/login", null, Map.of("username", USER, "password", PASSWORD));
        if (r.statusCode() != 303) throw new AssertionError("login answered " + r.statusCode());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    /** The CSRF token a page carries for its session. */
    static String csrf(String html) {
        Matcher m = Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"").matcher(html);
        if (!m.find()) throw new AssertionError("no CSRF token in the page");
        return m.group(1);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        dashboard.close();
        conveyor.close();
    }
}
