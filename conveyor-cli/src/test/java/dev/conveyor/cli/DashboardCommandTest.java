package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conveyor dashboard}: serves the broker's jobs behind the token it prints, until stopped. */
class DashboardCommandTest {
    @TempDir
    Path dir;

    @Test
    void servesTheBrokerBehindTheGeneratedTokenUntilStopped() throws Exception {
        String url = Cli.sqlite(dir);
        String id;
        try (Conveyor c = Conveyor.builder().broker(url).tasks(TestApp.HELLO).build()) {
            id = c.enqueue(TestApp.HELLO, new TestApp.Greet("dashboard")).id();
        }
        java.io.StringWriter out = new java.io.StringWriter();
        AtomicReference<Integer> exit = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            picocli.CommandLine cl = Main.commandLine(picocli.CommandLine.defaultFactory());
            cl.setOut(new java.io.PrintWriter(out, true));
            cl.setErr(new java.io.PrintWriter(new java.io.StringWriter(), true));
            exit.set(cl.execute("dashboard", "--broker", url, "--port", "0", "--metrics"));
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains("Stop it with Ctrl-C"));
        Matcher m = Pattern.compile("Dashboard at (http://127\\.0\\.0\\.1:\\d+/)\\s+Log in with the token (\\S+)").matcher(out.toString());
        assertThat(m.find()).as(out.toString()).isTrue();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> denied = http.send(HttpRequest.newBuilder(URI.create(m.group(1) + "api/jobs")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(denied.statusCode()).isEqualTo(401);
        HttpResponse<String> jobs = http.send(HttpRequest.newBuilder(URI.create(m.group(1) + "api/jobs"))
                .header("Authorization", "Bearer " + m.group(2)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(jobs.body()).contains(id);
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(m.group(1) + "metrics"))
                .header("Authorization", "Bearer " + m.group(2)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("conveyor_queue").contains("queue=\"default\"");
        t.interrupt(); // as Ctrl-C would: the command closes the dashboard and the broker
        t.join(10_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(exit.get()).as(out.toString()).isEqualTo(ExitCodes.OK); // a stop, not a failure
        assertThat(out.toString()).contains("Dashboard stopped.");
        Assertions.assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(m.group(1))).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
    }

    @Test
    void aShortTokenIsAUsageError() {
        Cli.Result r = Cli.run("dashboard", "--broker", Cli.sqlite(dir), "--port", "0", "--token", "short");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("at least 16 characters");
    }
}
