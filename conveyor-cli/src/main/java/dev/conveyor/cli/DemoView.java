package dev.conveyor.cli;

import dev.conveyor.broker.QueueStats;
import dev.conveyor.job.JobState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's live progress. On a terminal: a block of lines redrawn in place (ANSI) with the counts per
 * queue and state, the rate and a progress bar, with events printed above it. Elsewhere (pipes, CI): one
 * plain line per second.
 */
final class DemoView {
    /** What one frame shows. */
    record Snapshot(Duration elapsed, int enqueued, int planned, List<QueueStats> queues, long retried,
                    double jobsPerSecond) {
        long total(JobState state) {
            return queues.stream().mapToLong(q -> q.count(state)).sum();
        }
    }

    private static final String ESC = "\u001b[";
    private static final List<JobState> STATES =
            List.of(JobState.SCHEDULED, JobState.READY, JobState.RUNNING, JobState.SUCCEEDED, JobState.DEAD);
    private static final int BAR = 30;

    private final PrintWriter out;
    private final boolean live;
    private final String title;
    private int lines;
    private final Thread restoreCursor;

    DemoView(PrintWriter out, boolean live, String title) {
        this.out = out;
        this.live = live;
        this.title = title;
        if (live) {
            out.print(ESC + "?25l"); // hide the cursor while redrawing
            out.flush();
            restoreCursor = new Thread(() -> {
                out.print(ESC + "?25h");
                out.flush();
            });
            Runtime.getRuntime().addShutdownHook(restoreCursor);
        } else {
            restoreCursor = null;
        }
    }

    /** How often {@link #frame} should be called. */
    Duration interval() {
        return live ? Duration.ofMillis(250) : Duration.ofSeconds(1);
    }

    /** A line that stays (printed above the live block, or as it is). */
    synchronized void event(String line) {
        if (live) erase();
        out.println(line);
        out.flush();
        lines = 0;
    }

    synchronized void frame(Snapshot s) {
        if (!live) {
            out.println(plain(s));
            out.flush();
            return;
        }
        List<String> block = block(s);
        erase();
        for (String l : block) out.println(l);
        out.flush();
        lines = block.size();
    }

    /** Leaves the last frame on screen and shows the cursor again. */
    synchronized void close() {
        if (!live) return;
        out.print(ESC + "?25h");
        out.flush();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreCursor);
        } catch (IllegalStateException e) {
            // already shutting down: the hook restores the cursor
        }
    }

    private void erase() {
        if (lines > 0) out.print(ESC + lines + "F" + ESC + "J"); // up to the block's first line, clear below
    }

    private List<String> block(Snapshot s) {
        List<String> l = new ArrayList<>();
        l.add(bold(title) + "  " + seconds(s.elapsed()) + "   enqueued " + s.enqueued() + "/" + s.planned());
        l.add("");
        String head = String.format(Locale.ROOT, "  %-14s", "QUEUE");
        for (JobState st : STATES) head += String.format(Locale.ROOT, "%11s", st);
        l.add(dim(head));
        for (QueueStats q : s.queues()) l.add(row(q.queue(), q::count));
        l.add(row("total", s::total));
        l.add("");
        long finished = s.total(JobState.SUCCEEDED) + s.total(JobState.DEAD);
        double done = s.planned() == 0 ? 0 : Math.min(1.0, (double) finished / s.planned());
        int filled = (int) Math.round(done * BAR);
        l.add(String.format(Locale.ROOT, "  %s %3d%%   %s jobs/s   %d retries so far",
                "█".repeat(filled) + dim("░".repeat(BAR - filled)), Math.round(done * 100),
                bold(String.format(Locale.ROOT, "%,.0f", s.jobsPerSecond())), s.retried()));
        return l;
    }

    private static String row(String name, java.util.function.ToLongFunction<JobState> count) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-14s", name));
        for (JobState st : STATES) {
            String n = String.format(Locale.ROOT, "%11d", count.applyAsLong(st));
            sb.append(st == JobState.DEAD && count.applyAsLong(st) > 0 ? red(n) : n);
        }
        return sb.toString();
    }

    static String plain(Snapshot s) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "[%6s] enqueued %d/%d", seconds(s.elapsed()),
                s.enqueued(), s.planned()));
        for (JobState st : STATES) {
            sb.append(" · ").append(st.name().toLowerCase(Locale.ROOT)).append(' ').append(s.total(st));
        }
        sb.append(String.format(Locale.ROOT, " · %.0f jobs/s · %d retries", s.jobsPerSecond(), s.retried()));
        return sb.toString();
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }

    private static String bold(String s) {
        return ESC + "1m" + s + ESC + "0m";
    }

    private static String dim(String s) {
        return ESC + "2m" + s + ESC + "0m";
    }

    private static String red(String s) {
        return ESC + "31m" + s + ESC + "0m";
    }
}
