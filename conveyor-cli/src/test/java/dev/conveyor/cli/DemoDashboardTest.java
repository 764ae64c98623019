package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code conveyor demo --dashboard}: prints the dashboard's URL and a generated token; behind that token the
 * overview shows the demo's queues with jobs finishing, round after round; stopped as Ctrl-C would (the
 * command's thread interrupted) it shuts its worker, producer and dashboard down within a few seconds.
 */
class DemoDashboardTest {
    private static final Pattern BANNER =
            Pattern.compile("Dashboard at (http://127\\.0\\.0\\.1:\\d+/)\\s+Log in with the token (\\S+)");
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void servesTheFlowingDemoBehindThePrintedTokenAndStopsCleanly() throws Exception {
        Set<String> before = demoThreads();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicReference<Integer> exit = new AtomicReference<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("demo-dashboard-test").start(() -> {
            try {
                picocli.CommandLine cl = Main.commandLine(picocli.CommandLine.defaultFactory());
                cl.setOut(new PrintWriter(out, true));
                cl.setErr(new PrintWriter(err, true));
                exit.set(cl.execute("demo", "--dashboard", "--jobs", "40", "--broker", "memory:", "--port", "0"));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> out.toString().contains("Stop with Ctrl-C"));
            Matcher m = BANNER.matcher(out.toString());
            assertThat(m.find()).as(out.toString()).isTrue();
            URI overview = URI.create(m.group(1) + "api/overview");
            String token = m.group(2);

            assertThat(http.send(HttpRequest.newBuilder(overview).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("without the token").isEqualTo(401);
            // Jobs flow: the demo's queues appear, and the number finished keeps growing between two reads.
            long first = await().atMost(Duration.ofSeconds(10)).until(() -> finished(overview, token), n -> n > 0);
            JsonNode queues = overview(overview, token).get("queues");
            Set<String> names = new HashSet<>();
            queues.forEach(q -> names.add(q.get("queue").asText()));
            assertThat(names).contains("demo").isSubsetOf(DemoTasks.QUEUES);
            await().atMost(Duration.ofSeconds(10)).until(() -> finished(overview, token), n -> n > first);
        } finally {
            long stopAt = System.nanoTime();
            t.interrupt(); // as Ctrl-C would
            t.join(8_000);
            assertThat(t.isAlive()).as("stopped within 8 s; out:\n" + out + "\nerr:\n" + err).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - stopAt)).isLessThan(Duration.ofSeconds(8));
        }
        assertThat(thrown.get()).isNull();
        assertThat(exit.get()).as("out:\n" + out + "\nerr:\n" + err).isEqualTo(ExitCodes.OK);
        assertThat(out.toString()).contains("Demo stopped.");
        Matcher m = BANNER.matcher(out.toString());
        assertThat(m.find()).isTrue();
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(m.group(1))).build(),
                HttpResponse.BodyHandlers.ofString())).as("the dashboard is closed").isInstanceOf(ConnectException.class);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(demoThreads()).as("the producer and the worker's threads are gone").isSubsetOf(before));
    }

    private JsonNode overview(URI uri, String token) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    /** Jobs finished (succeeded or dead) over the demo's queues. */
    private long finished(URI uri, String token) throws Exception {
        long n = 0;
        for (JsonNode q : overview(uri, token).get("queues")) {
            JsonNode counts = q.get("counts");
            n += counts.path("SUCCEEDED").asLong() + counts.path("DEAD").asLong();
        }
        return n;
    }

    /** Live threads the demo starts: its producer and rounds, and the worker's. */
    private static Set<String> demoThreads() {
        Set<String> out = new HashSet<>();
        for (Thread th : Thread.getAllStackTraces().keySet()) {
            String n = th.getName();
            if (th.isAlive() && (n.startsWith("demo-") || n.startsWith("conveyor-"))) out.add(n + "#" + th.threadId());
        }
        return out;
    }
}
