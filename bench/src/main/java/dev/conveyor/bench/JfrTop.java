package dev.conveyor.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * {@code bench/run --jfr-top FILE.jfr}: where the samples of a JFR recording fall. Counts
 * {@code jdk.ExecutionSample} (threads running Java code) and {@code jdk.NativeMethodSample} (threads inside a
 * native method — for SQLite that is the JNI call into the database, fsync included) and prints: samples per
 * thread; the top frames (self); per thread, its top frames; and inclusive counts for Conveyor, SQLite-JDBC and
 * Jackson methods (a method counts once per sample in which it is anywhere on the stack).
 */
final class JfrTop {
    private JfrTop() {}

    /** One CPU sample with a stack: its thread's group ({@link Bench#threadGroup}), frames top first. */
    record Sample(boolean nativeMethod, String thread, List<RecordedFrame> frames) {}

    /**
     * The recording's {@code jdk.ExecutionSample} (Java code) and {@code jdk.NativeMethodSample} events that have
     * a stack, in the recording's order.
     */
    static List<Sample> samples(Path file) throws IOException {
        List<Sample> out = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            boolean isNative = type.equals("jdk.NativeMethodSample");
            if (!isNative && !type.equals("jdk.ExecutionSample")) continue;
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) continue;
            RecordedThread t = e.getThread("sampledThread");
            String thread = t == null ? "?" : Bench.threadGroup(t.getJavaName() == null ? t.getOSName() : t.getJavaName());
            out.add(new Sample(isNative, thread, st.getFrames()));
        }
        return out;
    }

    static void print(Path file, int top, PrintStream out) throws IOException {
        Map<String, Long> byThread = new HashMap<>();
        Map<String, Long> self = new HashMap<>();
        Map<String, Map<String, Long>> selfByThread = new HashMap<>();
        Map<String, Long> inclusive = new HashMap<>();
        Map<String, Long> categories = new HashMap<>();
        long java = 0;
        long nativeSamples = 0;
        for (Sample sample : samples(file)) {
            boolean isNative = sample.nativeMethod();
            if (isNative) nativeSamples++;
            else java++;
            String thread = sample.thread();
            byThread.merge(thread + (isNative ? " [native]" : ""), 1L, Long::sum);
            List<RecordedFrame> frames = sample.frames();
            String topFrame = name(frames.get(0)) + (isNative ? " [native]" : "");
            self.merge(topFrame, 1L, Long::sum);
            selfByThread.computeIfAbsent(thread, k -> new HashMap<>()).merge(topFrame, 1L, Long::sum);
            categories.merge(category(frames, thread) + (isNative ? " [native]" : ""), 1L, Long::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
                String n = name(f);
                if ((n.startsWith("dev.conveyor.") || n.startsWith("org.sqlite.") || n.startsWith("com.fasterxml."))
                        && seen.add(n)) {
                    inclusive.merge(n, 1L, Long::sum);
                }
            }
        }
        long total = java + nativeSamples;
        out.printf("%s: %,d samples (%,d in Java code, %,d in native methods)%n", file, total, java, nativeSamples);
        if (total == 0) return;
        out.println();
        out.println("samples by thread:");
        table(byThread, top, total, out);
        out.println();
        out.println("where the samples go (each sample in the first matching category, top of the list first):");
        table(categories, 40, total, out);
        out.println();
        out.println("top frames (self):");
        table(self, top, total, out);
        out.println();
        out.println("top frames per thread (self, share of all samples):");
        byThread.keySet().stream().map(k -> k.replace(" [native]", "")).distinct()
                .sorted((a, b) -> Long.compare(sum(selfByThread.get(b)), sum(selfByThread.get(a))))
                .limit(8)
                .forEach(th -> {
                    out.printf("  %s (%.1f%%)%n", th, 100.0 * sum(selfByThread.get(th)) / total);
                    table(selfByThread.get(th), 6, total, out, "    ");
                });
        out.println();
        out.println("Conveyor / SQLite-JDBC / Jackson methods (inclusive: on the stack anywhere):");
        table(inclusive, top, total, out);
    }

    /** The first matching category, most specific first. */
    static String category(List<RecordedFrame> frames, String thread) {
        Set<String> stack = new HashSet<>();
        String firstConveyor = null;
        for (RecordedFrame f : frames) {
            String n = name(f);
            stack.add(n);
            if (firstConveyor == null && n.startsWith("dev.conveyor.")) firstConveyor = n;
        }
        String top = name(frames.get(0));
        if (stack.contains("dev.conveyor.bench.Rig.count")) return "benchmark harness: end-of-run count check (store read)";
        if (stack.contains("dev.conveyor.bench.Rig.open") || stack.contains("dev.conveyor.bench.Rig.close")) {
            return "benchmark harness: opening/closing the broker";
        }
        if (thread.startsWith("conveyor-sqlite-checkpoint")) return "SQLite WAL checkpoint (its own thread)";
        String role = stack.contains("dev.conveyor.jdbc.SqlBroker.fetch") ? "fetch: "
                : stack.contains("dev.conveyor.jdbc.SqlBroker.enqueue") ? "enqueue: "
                : stack.contains("dev.conveyor.jdbc.SqlBroker.ack") ? "ack: "
                : stack.contains("dev.conveyor.jdbc.SqlBroker.settle") ? "settle (retry/bury/extend/release): "
                : "";
        boolean sqlite = top.startsWith("org.sqlite.");
        if (sqlite && (stack.contains("org.sqlite.SQLiteConnection.commit")
                || "dev.conveyor.jdbc.sqlite.SqliteConnections.write".equals(firstConveyor))) {
            return role + "BEGIN IMMEDIATE / COMMIT (WAL append; fsync under FULL)";
        }
        if (top.startsWith("org.sqlite.core.NativeDB.prepare")) return role + "statement preparation";
        if (stack.contains("dev.conveyor.jdbc.SqlBroker.promoteDue")) return "fetch: promote due (UPDATE SCHEDULED->READY)";
        if (stack.contains("dev.conveyor.jdbc.SqlBroker.reclaimExpired")) return "fetch: reclaim expired leases";
        if (stack.contains("dev.conveyor.jdbc.JobRows.job")) return "fetch: decode claimed rows (JobRows.job)";
        if (stack.contains("dev.conveyor.jdbc.SqlBroker.claim")) return "fetch: claim UPDATE ... RETURNING";
        if (stack.contains("dev.conveyor.jdbc.SqlBroker.insert")) return "enqueue: INSERT batch";
        if (stack.contains("dev.conveyor.jdbc.SqlBroker.settle")) return role + "UPDATE batch";
        if (!role.isEmpty()) return role + "other";
        if (stack.contains("dev.conveyor.broker.memory.MemoryBroker.enqueue")) return "memory broker: enqueue";
        if (stack.contains("dev.conveyor.broker.memory.MemoryBroker.fetch")) return "memory broker: fetch";
        if (stack.contains("dev.conveyor.broker.memory.MemoryBroker.ack")) return "memory broker: ack";
        if (stack.contains("dev.conveyor.Conveyor.newJob")) return "enqueue: build job (args to JSON, id)";
        if (stack.contains("dev.conveyor.worker.JobExecutor.execute")) return "run job (args from JSON, middleware, timeout watchdog)";
        if (stack.contains("dev.conveyor.worker.Completer.loop")) return "completer: bookkeeping";
        if (stack.contains("dev.conveyor.worker.Processor.run")) return "processor: bookkeeping, dispatch";
        if (thread.startsWith("conveyor-job") || thread.startsWith("ForkJoinPool")) return "virtual threads: scheduling, other";
        if (thread.startsWith("bench") || thread.equals("main")) return "benchmark harness (main: other)";
        return "other (" + thread + ")";
    }

    private static long sum(Map<String, Long> m) {
        return m == null ? 0 : m.values().stream().mapToLong(Long::longValue).sum();
    }

    /** A frame as "package.Type.method". */
    static String name(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        if (m == null) return "?";
        String type = m.getType() == null ? "?" : m.getType().getName();
        return type + "." + m.getName();
    }

    private static void table(Map<String, Long> counts, int top, long total, PrintStream out) {
        table(counts, top, total, out, "  ");
    }

    private static void table(Map<String, Long> counts, int top, long total, PrintStream out, String indent) {
        Map<String, Long> sorted = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        sorted.forEach((k, v) -> out.printf("%s%6.1f%%  %,7d  %s%n", indent, 100.0 * v / total, v, k));
    }
}
