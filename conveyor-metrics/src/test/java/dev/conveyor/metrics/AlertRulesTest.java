package dev.conveyor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The example alert rules of docs/METRICS.md live in docs/alerts/conveyor-rules.yml (promtool checks them by
 * hand: {@code promtool check rules} and {@code promtool test rules docs/alerts/conveyor-rules.test.yml}). Here:
 * the doc shows exactly that file, and every meter an alert's expression names, with its label matchers, is
 * in a real scrape of /metrics, so a renamed meter or label breaks this test rather than the alerts.
 */
class AlertRulesTest {
    /** The repository root (tests run in conveyor-metrics/). */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path RULES = ROOT.resolve("docs/alerts/conveyor-rules.yml");
    private static final Pattern SELECTOR = Pattern.compile("\\b(conveyor_[a-z0-9_]+)(\\{([^}]*)})?");
    private static final Pattern MATCHER = Pattern.compile("\\s*([a-z_]+)\\s*=\\s*\"([^\"]*)\"\\s*");

    record Alert(String name, String expr) {}

    @Test
    void theDocShowsTheRulesFile() throws IOException {
        String doc = Files.readString(ROOT.resolve("docs/METRICS.md"));
        int section = doc.indexOf("\n## Alert rules\n");
        assertThat(section).as("METRICS.md has an Alert rules section").isPositive();
        int start = doc.indexOf("```yaml\n", section);
        int end = doc.indexOf("\n```", start);
        assertThat(start).isPositive();
        assertThat(doc.substring(start + "```yaml\n".length(), end + 1)).isEqualTo(Files.readString(RULES));
    }

    @Test
    void everyMeterTheAlertsNameIsExported() throws Exception {
        List<Alert> alerts = alerts(Files.readAllLines(RULES));
        assertThat(alerts).extracting(Alert::name)
                .containsExactly("ConveyorBacklogGrowing", "ConveyorOldestReadyJobTooOld", "ConveyorQueueStatsStale");

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ConveyorMetrics metrics = new ConveyorMetrics(registry);
             Conveyor c = Conveyor.builder().broker("memory:").listener(metrics).build();
             MetricsServer server = MetricsServer.start(registry, MetricsServer.DEFAULT_HOST, 0)) {
            metrics.watchQueues(c, Duration.ofHours(1));
            c.enqueueJson("anything", "{}", EnqueueOptions.defaults().queue("mail"));
            metrics.pollQueuesNow();
            Scrape s = Scrape.of(server.uri());
            assertThat(s.status()).isEqualTo(200);
            for (Alert a : alerts) {
                Matcher m = SELECTOR.matcher(a.expr());
                int selectors = 0;
                while (m.find()) {
                    selectors++;
                    Map<String, String> labels = new LinkedHashMap<>();
                    if (m.group(3) != null) {
                        for (String part : m.group(3).split(",")) {
                            Matcher lm = MATCHER.matcher(part);
                            assertThat(lm.matches()).as(a.name() + ": only label=\"value\" matchers are checked: " + part).isTrue();
                            labels.put(lm.group(1), lm.group(2));
                        }
                    }
                    assertThat(s.value(m.group(1), labels)).as(a.name() + " names " + m.group() + ", not in:\n" + s.body())
                            .isPresent();
                }
                assertThat(selectors).as(a.name() + " names a conveyor meter: " + a.expr()).isPositive();
            }
        }
    }

    /**
     * The alerts of a rules file: each {@code - alert:} item with its {@code expr}, inline or a block scalar
     * ({@code expr: |} and the lines indented under it). Fails on an alert without an expression.
     */
    static List<Alert> alerts(List<String> lines) {
        List<Alert> out = new ArrayList<>();
        String name = null;
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).strip();
            if (t.startsWith("- alert:")) {
                assertThat(name).as("alert " + name + " has an expr").isNull();
                name = t.substring("- alert:".length()).strip();
            } else if (t.startsWith("expr:") && name != null) {
                String v = t.substring("expr:".length()).strip();
                if (v.equals("|") || v.equals(">")) {
                    int indent = indent(lines.get(i));
                    StringBuilder b = new StringBuilder();
                    while (i + 1 < lines.size() && (lines.get(i + 1).isBlank() || indent(lines.get(i + 1)) > indent)) {
                        b.append(lines.get(++i).strip()).append('\n');
                    }
                    v = b.toString().strip();
                }
                assertThat(v).as("expr of " + name).isNotEmpty();
                out.add(new Alert(name, v));
                name = null;
            }
        }
        assertThat(name).as("alert " + name + " has an expr").isNull();
        return out;
    }

    private static int indent(String line) {
        return line.length() - line.stripLeading().length();
    }
}
