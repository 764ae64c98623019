package dev.conveyor.bench.peers;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One driver process, watched the same way for every system: the time from spawning it to its {@code READY}
 * line (start-up), the resident memory of its whole process tree (driver, worker processes and their
 * children) every 100 ms, its idle RSS once it has been ready for a while, its {@code RESULT} line, and a time
 * cap after which the tree is killed (by process id: only what this run started).
 */
final class DriverProcess {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the orchestrator saw of one run. */
    record Outcome(Map<String, Object> result, int exit, boolean timedOut, long startupMs, long rssIdleKb,
                   long rssMaxKb, String stderrTail) {
        boolean ok() {
            return !timedOut && exit == 0 && result != null && Boolean.TRUE.equals(result.get("ok"));
        }
    }

    private DriverProcess() {}

    /**
     * Runs the command to its end or the cap. {@code idleSampleMs}: when to read the idle RSS after READY
     * (the footprint scenario idles for a while first); 0 = do not.
     */
    static Outcome run(List<String> command, Map<String, String> env, Path workDir, long capMs, long idleSampleMs)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().putAll(env);
        Path err = Files.createTempFile("peer-driver-", ".err");
        pb.redirectError(err.toFile());
        long spawned = System.nanoTime();
        Process p = pb.start();
        long[] readyAt = {-1};
        long[] rssMax = {0};
        long[] rssIdle = {-1};
        Map<String, Object>[] result = new Map[1];
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("READY") && readyAt[0] < 0) {
                        readyAt[0] = System.nanoTime();
                    } else if (line.startsWith("RESULT ")) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> m = JSON.readValue(line.substring(7), LinkedHashMap.class);
                        result[0] = m;
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        long deadline = spawned + TimeUnit.MILLISECONDS.toNanos(capMs);
        boolean timedOut = false;
        while (p.isAlive()) {
            long rss = Rss.treeKb(p.toHandle());
            rssMax[0] = Math.max(rssMax[0], rss);
            if (idleSampleMs > 0 && readyAt[0] > 0 && rssIdle[0] < 0
                    && System.nanoTime() - readyAt[0] >= TimeUnit.MILLISECONDS.toNanos(idleSampleMs)) {
                rssIdle[0] = rss;
            }
            if (System.nanoTime() > deadline) {
                timedOut = true;
                kill(p);
                break;
            }
            p.waitFor(100, TimeUnit.MILLISECONDS);
        }
        int exit = p.waitFor();
        reader.join(5_000);
        String tail = tail(err, 20);
        Files.deleteIfExists(err);
        long startup = readyAt[0] > 0 ? TimeUnit.NANOSECONDS.toMillis(readyAt[0] - spawned) : -1;
        return new Outcome(result[0], exit, timedOut, startup, rssIdle[0], rssMax[0], tail);
    }

    /** Kills the process and what it started: children first, by process id. */
    private static void kill(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        java.util.Collections.reverse(tree);
        tree.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static String tail(Path file, int lines) {
        try {
            Deque<String> d = new ArrayDeque<>();
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                d.addLast(l.length() > 300 ? l.substring(0, 300) + "…" : l);
                if (d.size() > lines) d.removeFirst();
            }
            return String.join("\n", d);
        } catch (IOException e) {
            return "";
        }
    }

    /** Resident memory from /proc. */
    static final class Rss {
        private Rss() {}

        /** VmRSS of the process and all its descendants, in KiB (0 where /proc is missing). */
        static long treeKb(ProcessHandle h) {
            long sum = kb(h.pid());
            for (ProcessHandle c : h.descendants().toList()) sum += kb(c.pid());
            return sum;
        }

        static long kb(long pid) {
            try {
                for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            } catch (IOException | RuntimeException e) {
                // gone, or not Linux
            }
            return 0;
        }
    }
}
