package dev.conveyor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a soak watches in a process, from the outside: heap in use right after a full GC ({@code jcmd GC.run},
 * then {@code GC.heap_info}), threads, and open sockets (from {@code /proc/<pid>}). Linux only; a value that
 * cannot be read is -1.
 */
final class ProcessStats {
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private ProcessStats() {}

    static Map<String, Object> of(long pid) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("heapAfterGcKiB", heapAfterGc(pid));
        m.put("threads", threads(pid));
        m.put("sockets", sockets(pid));
        return m;
    }

    /** The same for this JVM (the producer). */
    static Map<String, Object> self() {
        System.gc();
        Map<String, Object> m = new LinkedHashMap<>();
        Runtime rt = Runtime.getRuntime();
        m.put("heapAfterGcKiB", (rt.totalMemory() - rt.freeMemory()) / 1024);
        long pid = ProcessHandle.current().pid();
        m.put("threads", threads(pid));
        m.put("sockets", sockets(pid));
        return m;
    }

    private static long heapAfterGc(long pid) {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        if (run(jcmd, Long.toString(pid), "GC.run") == null) return -1;
        String info = run(jcmd, Long.toString(pid), "GC.heap_info");
        if (info == null) return -1;
        Matcher m = USED.matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    static long threads(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) return Long.parseLong(line.substring(8).trim());
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    static long sockets(long pid) {
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        try (var list = Files.list(fds)) {
            return list.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().startsWith("socket:");
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            }).count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
