package dev.conveyor.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fuzz target keeps working: a short coverage-guided run of Jazzer (a bounded number of inputs, from a seed
 * corpus of envelopes) finds nothing, and the seeds pass straight through the target. The long run is
 * {@code scripts/fuzz}.
 */
class DecodingFuzzTargetTest {
    @TempDir
    Path dir;

    static final List<String> SEEDS = List.of(
            "{\"v\":1,\"id\":\"0193a0b0-0000-7000-8000-000000000001\",\"task\":\"send_report\",\"queue\":\"emails\","
                    + "\"args\":{\"x\":1,\"y\":2,\"label\":\"a\",\"tags\":[1,2],\"weights\":{\"w\":0.5},"
                    + "\"at\":\"2026-11-25T15:00:00.123Z\"},\"enqueuedAt\":\"2026-11-25T15:00:00.000Z\",\"priority\":5,"
                    + "\"headers\":{\"h\":\"v\"},\"attempt\":1,\"deliveries\":2,\"maxAttempts\":3,\"timeoutMs\":1000}",
            "{\"x\":1,\"y\":2,\"label\":null,\"tags\":[],\"weights\":{},\"at\":\"2026-11-25T15:00:00Z\"}",
            "", "{", "[[[[[[[[[[", "{\"v\":2}", "\u00ac\u00ed\u0000\u0005");

    @Test
    void theSeedsPassThroughTheTarget() {
        for (String seed : SEEDS) DecodingFuzzTarget.fuzzerTestOneInput(seed.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aShortCoverageGuidedRunFindsNothing() throws Exception {
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        for (int i = 0; i < SEEDS.size(); i++) Files.writeString(corpus.resolve("seed-" + i), SEEDS.get(i));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+EnableDynamicAgentLoading", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                "com.code_intelligence.jazzer.Jazzer",
                "--target_class=" + DecodingFuzzTarget.class.getName(),
                "--instrumentation_includes=dev.conveyor.**:com.fasterxml.jackson.**",
                "--reproducer_path=" + dir, "-runs=20000", "-seed=1", "-artifact_prefix=" + dir + File.separator,
                corpus.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("Jazzer finished").isTrue();
        assertThat(out).as("the fuzzer's output").doesNotContain("== Java Exception").contains("Done 20000 runs");
        assertThat(p.exitValue()).as("Jazzer's exit code; its output:\n" + out).isZero();
        assertThat(out).as("coverage was collected (the target's classes were instrumented)").containsPattern("cov: [1-9]");
    }
}
