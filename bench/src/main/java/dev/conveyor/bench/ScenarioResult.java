package dev.conveyor.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one scenario on one broker measured: its runs, the summary, the checks, and the one-line summary. */
final class ScenarioResult {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    final ScenarioKind scenario;
    final BrokerKind broker;
    final Map<String, Object> params = new LinkedHashMap<>();
    final Map<String, Object> summary = new LinkedHashMap<>();
    final List<Map<String, Object>> runs = new ArrayList<>();
    /** Count checks that failed (jobs lost, duplicated, not completed): empty when all is well. */
    final List<String> problems = new ArrayList<>();
    /** Jobs each run expected to complete (or store), and what it saw: for the JUnit smoke test. */
    final List<long[]> expectedVsSeen = new ArrayList<>();
    String line = "";
    Map<String, Object> env = Map.of();
    Path written;

    ScenarioResult(ScenarioKind scenario, BrokerKind broker) {
        this.scenario = scenario;
        this.broker = broker;
    }

    boolean ok() {
        return problems.isEmpty();
    }

    /** Records a count check; a mismatch becomes a problem. */
    void check(int run, String what, long expected, long seen) {
        expectedVsSeen.add(new long[] {expected, seen});
        if (expected != seen) problems.add("run " + run + ": " + what + " " + seen + ", expected " + expected);
    }

    String fileName() {
        return scenario.label() + "-" + broker.label() + ".json";
    }

    Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("scenario", scenario.label());
        doc.put("broker", broker.label());
        doc.put("synchronous", broker.synchronous());
        doc.put("ok", ok());
        doc.put("problems", problems);
        doc.put("line", line);
        doc.put("summary", summary);
        doc.put("params", params);
        doc.put("env", env);
        doc.put("runs", runs);
        Path file = dir.resolve(fileName());
        JSON.writeValue(file.toFile(), doc);
        written = file;
        return file;
    }
}
