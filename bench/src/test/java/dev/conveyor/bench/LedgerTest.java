package dev.conveyor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chaos scenarios' checker, on ledgers with a planted lost, duplicated and unexpected job. */
class LedgerTest {
    @TempDir
    Path dir;

    @Test
    void theCheckerFindsLostDuplicatedAndUnexpectedJobs() throws Exception {
        try (Ledger producer = Ledger.open(dir, "producer"); Ledger worker = Ledger.open(dir, "worker")) {
            for (String id : List.of("ok", "lost", "twice")) producer.write('Q', id);
            for (String id : List.of("ok", "twice", "twice", "stray")) {
                worker.write('S', id);
                worker.write('E', id);
            }
            worker.write('S', "lost"); // started, never ended: its worker died
        }
        Files.writeString(dir.resolve("killed.log"), "E torn-line-without-time"); // a line cut by SIGKILL
        Ledger.Verdict v = Ledger.check(Ledger.read(dir));
        assertThat(v.acknowledged()).isEqualTo(3);
        assertThat(v.lost()).isEqualTo(1);
        assertThat(v.lostIds()).containsExactly("lost");
        assertThat(v.duplicateRuns()).isEqualTo(1);
        assertThat(v.unexpected()).as("ran, never acknowledged").isEqualTo(1);
        assertThat(v.completed()).isEqualTo(3);
    }

    @Test
    void jobsHeldAcrossAnOutageAreThoseLeasedByItsEndAndNotLetGoBeforeItsStart() {
        long kill = 1_000;
        long back = 2_000;
        List<Ledger.Entry> entries = List.of(
                new Ledger.Entry('L', "acked-before", 100, "w1"), new Ledger.Entry('A', "acked-before", 900, "w1"),
                new Ledger.Entry('L', "running", 500, "w1"),
                new Ledger.Entry('L', "acked-after", 600, "w2"), new Ledger.Entry('A', "acked-after", 2_500, "w2"),
                new Ledger.Entry('L', "in-flight-answer", 1_001, "w2"),
                new Ledger.Entry('L', "handed-back", 700, "w1"), new Ledger.Entry('H', "handed-back", 800, "w1"),
                new Ledger.Entry('L', "after", 2_100, "w1"));
        assertThat(Ledger.heldAcross(entries, kill, back)).isEqualTo(3); // running, acked-after, in-flight-answer
    }
}
