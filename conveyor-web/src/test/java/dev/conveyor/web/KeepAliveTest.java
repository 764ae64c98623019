package dev.conveyor.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request whose body arrives after its headers, on a keep-alive connection, to routes that do not need the body
 * (an action that takes none, a refused login): the connection must still serve the next request. Jetty closes a
 * connection whose request content was left unread and had not fully arrived, so a client that had already sent
 * its next request on it got no answer at all (the JDK's client: "header parser received no bytes"; it failed
 * SecurityTest in CI once).
 */
class KeepAliveTest {
    @TempDir
    Path dir;
    TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer(dir.resolve("audit.jsonl"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** One request written in two parts, its body 300 ms after its headers; returns the response's status line. */
    private static String exchange(Socket s, String head, String body) throws IOException, InterruptedException {
        OutputStream out = s.getOutputStream();
        out.write(head.getBytes(StandardCharsets.UTF_8));
        out.flush();
        Thread.sleep(300); // the route has answered by now if it does not wait for the body
        out.write(body.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return readResponse(s.getInputStream());
    }

    /** Reads one response (headers, then Content-Length bytes of body); its status line, or "EOF". */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            String h = head.toString(StandardCharsets.ISO_8859_1);
            if (h.endsWith("\r\n\r\n")) {
                int length = 0;
                for (String line : h.split("\r\n")) {
                    if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
                }
                in.readNBytes(length);
                return h.substring(0, h.indexOf("\r\n"));
            }
        }
        return "EOF";
    }

    private String request(String method, String path, String token, String contentType, String body) {
        URI base = URI.create(server.base());
        return method + " " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort() + "\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n";
    }

    @Test
    void aBodyThatArrivesLateDoesNotCostTheConnection() throws Exception {
        URI base = URI.create(server.base());
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            // an action that takes no body, and one refused before it is looked at (no token)
            assertThat(exchange(s, request("POST", "/api/queues/default/pause", TestServer.OPERATOR,
                    "application/json", "{}"), "{}")).contains(" 200");
            assertThat(exchange(s, request("POST", "/api/queues/default/resume", null, "application/json", "{}"), "{}"))
                    .contains(" 401");
            s.getOutputStream().write(request("GET", "/api/overview", TestServer.VIEWER, null, "")
                    .getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            assertThat(readResponse(s.getInputStream())).as("the same connection still answers").contains(" 200");
        }
    }

    @Test
    void aBodyOverTheLimitIs413NotAnError() throws Exception {
        String big = "{\"pad\":\"" + "x".repeat(70 * 1024) + "\"}";
        var r = server.postJson("/api/queues/default/pause", TestServer.OPERATOR, big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(server.get("/api/overview", TestServer.VIEWER).statusCode()).isEqualTo(200);
    }
}
