package dev.conveyor.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The chaos scenarios' record of what happened, kept outside the broker under test: append-only text files in
 * one directory, one per process. A line is {@code <kind> <job id> <epoch ms> <pid>}: {@code Q} the broker
 * acknowledged the enqueue, {@code S} a handler started the job, {@code E} it ran to its end (before the ack),
 * {@code K} the harness killed that process. Each line is flushed as written, so a SIGKILLed process loses
 * nothing it wrote (the page cache survives the process).
 */
final class Ledger implements AutoCloseable {
    private final BufferedWriter out;
    private final String pid;

    private Ledger(Path file, String pid) {
        try {
            Files.createDirectories(file.getParent());
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the ledger " + file, e);
        }
        this.pid = pid;
    }

    /** This process's ledger file in {@code dir}. */
    static Ledger open(Path dir, String name) {
        return new Ledger(dir.resolve(name + ".log"), Long.toString(ProcessHandle.current().pid()));
    }

    synchronized void write(char kind, String id) {
        write(kind, id, pid);
    }

    synchronized void write(char kind, String id, String process) {
        writeLine(kind, id, System.currentTimeMillis(), process);
    }

    /** A line whose time is not now but {@code epochMs} (e.g. {@code D}: the due time a job was leased with). */
    synchronized void writeAt(char kind, String id, long epochMs) {
        writeLine(kind, id, epochMs, pid);
    }

    private void writeLine(char kind, String id, long epochMs, String process) {
        try {
            out.write(kind + " " + id + " " + epochMs + " " + process + "\n");
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ledger", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Entry(char kind, String id, long at, String pid) {}

    /** Every complete line of every ledger file in {@code dir} (a torn last line of a killed process is skipped). */
    static List<Entry> read(Path dir) {
        List<Entry> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    String[] p = line.split(" ");
                    if (p.length != 4 || p[0].length() != 1) continue;
                    try {
                        all.add(new Entry(p[0].charAt(0), p[1], Long.parseLong(p[2]), p[3]));
                    } catch (NumberFormatException torn) {
                        // a line cut by SIGKILL mid-write
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ledger in " + dir, e);
        }
        return all;
    }

    /** What the checker reports: lost, duplicated and unexpected jobs. */
    record Verdict(int acknowledged, int completed, int lost, int duplicateRuns, int unexpected, List<String> lostIds) {}

    /**
     * How many jobs the workers held across an outage from {@code fromMs} to {@code toMs}: leased ({@code L}) by a
     * process by {@code toMs} and not let go of by it (no {@code A}, {@code R} or {@code H} from that process) before
     * {@code fromMs}. A lease can land after {@code fromMs}: a fetch's answer already on its way when the broker
     * died. A slot frees when the handler returns, before the outcome is recorded, so this is more than the
     * running jobs: it counts the outcomes on their way too, and those are what an outage can make run again.
     */
    static int heldAcross(List<Entry> entries, long fromMs, long toMs) {
        java.util.Set<String> leased = new java.util.HashSet<>();
        java.util.Set<String> letGo = new java.util.HashSet<>();
        for (Entry e : entries) {
            String key = e.id() + ' ' + e.pid();
            if (e.kind() == 'L' && e.at() <= toMs) leased.add(key);
            if ((e.kind() == 'A' || e.kind() == 'R' || e.kind() == 'H') && e.at() < fromMs) letGo.add(key);
        }
        leased.removeAll(letGo);
        return leased.size();
    }

    static Verdict check(List<Entry> entries) {
        Map<String, Integer> ends = new HashMap<>();
        java.util.Set<String> acked = new java.util.HashSet<>();
        for (Entry e : entries) {
            if (e.kind() == 'Q') acked.add(e.id());
            if (e.kind() == 'E') ends.merge(e.id(), 1, Integer::sum);
        }
        List<String> lost = new ArrayList<>();
        for (String id : acked) if (!ends.containsKey(id)) lost.add(id);
        int duplicates = 0;
        int unexpected = 0;
        for (Map.Entry<String, Integer> e : ends.entrySet()) {
            if (!acked.contains(e.getKey())) unexpected++;
            duplicates += e.getValue() - 1;
        }
        return new Verdict(acked.size(), ends.size(), lost.size(), duplicates, unexpected,
                lost.subList(0, Math.min(10, lost.size())));
    }

    /**
     * Jobs the killed workers held when they died: for each process killed ({@code K}), the jobs it leased
     * ({@code L}) and never let go of ({@code A}, {@code R} or {@code H}) — its entries all come before its death.
     * Those, and only those, a kill can make run again: the ones running, the ones held ahead of a free slot, and
     * the ones that finished while their ack was on its way.
     */
    static int heldAtKills(List<Entry> entries) {
        java.util.Set<String> killed = killedPids(entries);
        java.util.Set<String> held = new java.util.HashSet<>();
        java.util.Set<String> letGo = new java.util.HashSet<>();
        for (Entry e : entries) {
            if (!killed.contains(e.pid())) continue;
            String key = e.id() + ' ' + e.pid();
            if (e.kind() == 'L') held.add(key);
            if (e.kind() == 'A' || e.kind() == 'R' || e.kind() == 'H') letGo.add(key);
        }
        held.removeAll(letGo);
        return held.size();
    }

    /**
     * Duplicate runs that no kill and no lost lease accounts for. A job's run that ended ({@code E}) in a process
     * is accounted for when that process was killed before the job's outcome was stored (no {@code A}, {@code R} or
     * {@code H} from it for that job), or when its outcome was refused ({@code R}: its lease had passed to another
     * worker). Every end of a job beyond the first needs one such run: an acknowledged job run again, or a job run
     * twice while a live worker held its lease, is counted here.
     */
    static int unaccountedDuplicates(List<Entry> entries) {
        java.util.Set<String> killed = killedPids(entries);
        java.util.Set<String> letGo = new java.util.HashSet<>();
        java.util.Set<String> refused = new java.util.HashSet<>();
        Map<String, List<String>> endedIn = new HashMap<>();
        for (Entry e : entries) {
            String key = e.id() + ' ' + e.pid();
            if (e.kind() == 'A' || e.kind() == 'R' || e.kind() == 'H') letGo.add(key);
            if (e.kind() == 'R') refused.add(key);
            if (e.kind() == 'E') endedIn.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e.pid());
        }
        int unaccounted = 0;
        for (Map.Entry<String, List<String>> job : endedIn.entrySet()) {
            int accounted = 0;
            for (String pid : job.getValue()) {
                String key = job.getKey() + ' ' + pid;
                if ((killed.contains(pid) && !letGo.contains(key)) || refused.contains(key)) accounted++;
            }
            unaccounted += Math.max(0, job.getValue().size() - 1 - accounted);
        }
        return unaccounted;
    }

    private static java.util.Set<String> killedPids(List<Entry> entries) {
        java.util.Set<String> killed = new java.util.HashSet<>();
        for (Entry e : entries) if (e.kind() == 'K') killed.add(e.pid());
        return killed;
    }
}
