package dev.conveyor.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.Conveyor;
import dev.conveyor.web.auth.Credentials;
import dev.conveyor.web.auth.Role;
import io.javalin.Javalin;
import io.javalin.router.ParsedEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/openapi.yaml and the server agree: every route the dashboard registers under {@code /api} is in the spec
 * with the same method, and every path and method of the spec is registered. The routes come from Javalin's
 * router as the dashboard builds it; the spec's {@code paths:} section is read by its structure (no YAML library
 * is on the classpath): paths at indent 2, their operations at indent 4.
 */
class OpenApiRoutesTest {
    /** The repository root (tests run in conveyor-web/). */
    private static final Path SPEC = Path.of("").toAbsolutePath().getParent().resolve("docs/openapi.yaml");
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    @Test
    void everyApiRouteIsInTheSpecAndEveryOperationOfTheSpecIsARoute() throws IOException {
        Set<String> spec = operations(Files.readAllLines(SPEC));
        Set<String> routes = apiRoutes();
        assertThat(spec).as("operations in docs/openapi.yaml").hasSizeGreaterThanOrEqualTo(16);
        assertThat(routes).as("routes under /api").hasSizeGreaterThanOrEqualTo(16);
        assertThat(routes).as("registered under /api but missing from docs/openapi.yaml").isSubsetOf(spec);
        assertThat(spec).as("in docs/openapi.yaml but not registered").isSubsetOf(routes);
    }

    @Test
    void theSpecReaderFindsWhatItShouldAndRefusesWhatItCannotRead() {
        List<String> yaml = List.of(
                "openapi: 3.0.3",
                "paths:",
                "  /api/a:",
                "    parameters: [ { $ref: \"#/x\" } ]",
                "    get:",
                "      summary: A",
                "      description: |",
                "        post: not an operation",
                "    post:",
                "      summary: B",
                "  \"/api/b/{id}\":",
                "    delete: { summary: C }",
                "components:",
                "  /api/not-a-path:",
                "    get: {}");
        assertThat(operations(yaml)).containsExactlyInAnyOrder("GET /api/a", "POST /api/a", "DELETE /api/b/{id}");
        assertThatThrownBy(() -> operations(List.of("paths:", "  /api/a:", "    summary: no operation", "components:")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("/api/a");
        assertThatThrownBy(() -> operations(List.of("paths: {}")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("paths:");
    }

    /** "METHOD /path" for every route the dashboard registers under /api/. */
    private static Set<String> apiRoutes() {
        try (Conveyor conveyor = Conveyor.builder().broker("memory:").build()) {
            Javalin app = DashboardServer.create(Backend.of(conveyor.broker(), Clock.systemUTC()),
                    Credentials.builder().token("test", "openapi-token-0123456789", Role.OPERATOR).build(),
                    new AuditLog(Clock.systemUTC(), null, ApiJson.mapper()), ApiJson.mapper(), r -> {});
            Set<String> out = new TreeSet<>();
            for (ParsedEndpoint p : app.unsafe.internalRouter.allHttpHandlers()) {
                if (p.endpoint.method.isHttpMethod() && p.endpoint.path.startsWith("/api/")) {
                    out.add(p.endpoint.method.name() + " " + p.endpoint.path);
                }
            }
            return out;
        }
    }

    /**
     * "METHOD /path" for every operation in the {@code paths:} section: the keys at indent 2 are paths, the keys
     * at indent 4 under them that are HTTP methods are operations (others, like {@code parameters}, are not).
     * Anything else at indent 2, or a path without an operation, fails: this reader must not silently miss one.
     */
    static Set<String> operations(List<String> lines) {
        Set<String> out = new TreeSet<>();
        int i = lines.indexOf("paths:");
        if (i < 0) throw new AssertionError("no top-level 'paths:' line in the spec");
        String path = null;
        int pathOps = 0;
        for (i = i + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.stripLeading().startsWith("#")) continue;
            int indent = line.length() - line.stripLeading().length();
            if (indent == 0) break; // the next top-level key
            String key = key(line);
            if (indent == 2) {
                if (path != null && pathOps == 0) throw new AssertionError("path " + path + " has no operation");
                if (key == null || !key.startsWith("/")) throw new AssertionError("not a path under paths: " + line);
                path = key;
                pathOps = 0;
            } else if (indent == 4 && key != null && METHODS.contains(key)) {
                out.add(key.toUpperCase(Locale.ROOT) + " " + path);
                pathOps++;
            }
        }
        if (path != null && pathOps == 0) throw new AssertionError("path " + path + " has no operation");
        return out;
    }

    /** The key of a {@code key: ...} line, unquoted; null when the line is not one. */
    private static String key(String line) {
        String t = line.strip();
        if (t.startsWith("- ")) return null;
        int colon = t.startsWith("\"") ? t.indexOf("\":") + 1 : t.indexOf(':');
        if (colon <= 0) return null;
        String k = t.substring(0, colon);
        return k.startsWith("\"") && k.endsWith("\"") ? k.substring(1, k.length() - 1) : k;
    }
}
