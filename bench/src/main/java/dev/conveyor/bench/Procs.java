package dev.conveyor.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/** Process CPU time and GC totals, to tell a CPU-bound run from one that waits (on fsync, on a lock). */
record Procs(long wallNanos, long cpuNanos, long gcCount, long gcMillis) {
    static Procs now() {
        long cpu = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            cpu = os.getProcessCpuTime();
        }
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new Procs(System.nanoTime(), cpu, count, millis);
    }

    /** Share of the machine's CPUs this process used between {@code before} and now (1.0 = every core busy). */
    double cpuShareSince(Procs before) {
        long wall = wallNanos - before.wallNanos;
        if (cpuNanos < 0 || wall <= 0) return Double.NaN;
        return (cpuNanos - before.cpuNanos) / (double) wall / Runtime.getRuntime().availableProcessors();
    }
}
