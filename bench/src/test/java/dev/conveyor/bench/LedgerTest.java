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

    @Test
    void duplicatesAreAccountedForByAKillBeforeTheAckOrByALostLease() {
        List<Ledger.Entry> entries = List.of(
                // killed after it finished, before its ack was stored: runs again on w2 (accounted for)
                new Ledger.Entry('L', "ack-on-its-way", 100, "w1"), new Ledger.Entry('E', "ack-on-its-way", 200, "w1"),
                new Ledger.Entry('L', "ack-on-its-way", 2_000, "w2"), new Ledger.Entry('E', "ack-on-its-way", 2_100, "w2"),
                new Ledger.Entry('A', "ack-on-its-way", 2_150, "w2"),
                // its live worker lost the lease (outcome refused): ran on w3 too (accounted for)
                new Ledger.Entry('L', "lease-lost", 100, "w2"), new Ledger.Entry('E', "lease-lost", 900, "w2"),
                new Ledger.Entry('R', "lease-lost", 950, "w2"), new Ledger.Entry('E', "lease-lost", 800, "w3"),
                // acknowledged by w1 before the kill, then ran again: not accounted for
                new Ledger.Entry('L', "acked", 100, "w1"), new Ledger.Entry('E', "acked", 150, "w1"),
                new Ledger.Entry('A', "acked", 160, "w1"), new Ledger.Entry('E', "acked", 2_200, "w3"),
                // two runs on live workers, no refusal: not accounted for
                new Ledger.Entry('E', "twice-live", 300, "w2"), new Ledger.Entry('E', "twice-live", 400, "w3"),
                // held by w1 at its death, never ran there
                new Ledger.Entry('L', "held", 250, "w1"), new Ledger.Entry('E', "held", 2_300, "w2"),
                new Ledger.Entry('K', "-", 1_000, "w1"));
        assertThat(Ledger.check(entries).duplicateRuns()).isEqualTo(4);
        assertThat(Ledger.unaccountedDuplicates(entries)).isEqualTo(2); // acked, twice-live
        assertThat(Ledger.heldAtKills(entries)).isEqualTo(2); // ack-on-its-way, held (w1's "acked" was let go)
    }
}
