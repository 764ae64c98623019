package dev.conveyor.cli;

import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.Page;
import dev.conveyor.cli.DemoProducer.Kind;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's end: reads back every job it enqueued, checks the demo's promises (what should succeed did,
 * flaky jobs retried, reminders waited, the poison job is dead with its reason, the awaited result came
 * back) and prints the summary. A failed check makes the demo exit 1: it doubles as a smoke test.
 */
final class DemoReport {
    private final Map<String, Kind> kinds;
    private final Map<String, JobInfo> infos = new java.util.HashMap<>();
    private final List<String> failures = new ArrayList<>();

    DemoReport(JobStore store, Map<String, Kind> kinds) {
        this.kinds = kinds;
        for (String queue : DemoTasks.QUEUES) {
            JobQuery q = new JobQuery(null, queue, null, null, JobQuery.MAX_LIMIT);
            while (true) {
                Page<JobInfo> page = store.list(q);
                for (JobInfo i : page.items()) if (kinds.containsKey(i.id())) infos.put(i.id(), i);
                if (page.nextCursor() == null) break;
                q = q.after(page.nextCursor());
            }
        }
    }

    /** Adds a failed check found elsewhere (a timeout). */
    void fail(String failure) {
        failures.add(failure);
    }

    /** Runs the checks; returns the failures (empty when all passed). */
    List<String> check(DemoTasks.Report awaited, int expectedReportJobs) {
        int missing = 0;
        Map<Kind, Integer> wrong = new EnumMap<>(Kind.class);
        for (Map.Entry<String, Kind> e : kinds.entrySet()) {
            JobInfo i = infos.get(e.getKey());
            if (i == null) {
                missing++;
                continue;
            }
            boolean ok = switch (e.getValue()) {
                case POISON -> i.state() == JobState.DEAD && i.job().attempt() == DemoTasks.POISON_ATTEMPTS
                        && i.deadReason() != null && i.deadReason().contains(DemoTasks.POISON_MESSAGE);
                case FLAKY -> i.state() == JobState.SUCCEEDED && i.job().attempt() >= 1;
                case REMINDER -> i.state() == JobState.SUCCEEDED && i.finishedAt() != null
                        && !i.finishedAt().isBefore(i.job().runAt()) && i.job().runAt().isAfter(i.job().enqueuedAt());
                default -> i.state() == JobState.SUCCEEDED;
            };
            if (!ok) wrong.merge(e.getValue(), 1, Integer::sum);
        }
        if (missing > 0) failures.add(missing + " enqueued job(s) not found in the store");
        wrong.forEach((kind, n) -> failures.add(n + " " + kind.name().toLowerCase(Locale.ROOT) + " job(s) did not "
                + switch (kind) {
                    case POISON -> "end dead after " + DemoTasks.POISON_ATTEMPTS + " attempts with their reason";
                    case FLAKY -> "succeed after retrying";
                    case REMINDER -> "wait for their delay and then succeed";
                    default -> "succeed";
                }));
        if (awaited == null) failures.add("the awaited report job returned no result");
        else if (awaited.jobs() != expectedReportJobs) failures.add("the awaited report has the wrong result: " + awaited);
        return failures;
    }

    void print(PrintWriter out, Duration wall, long retried, double peakRate, int peakFetches, String awaitedLine) {
        Map<JobState, Integer> byState = new EnumMap<>(JobState.class);
        Map<Kind, Integer> byKind = new EnumMap<>(Kind.class);
        Instant first = null;
        Instant last = null;
        List<JobInfo> dead = new ArrayList<>();
        for (JobInfo i : infos.values()) {
            byState.merge(i.state(), 1, Integer::sum);
            byKind.merge(kinds.get(i.id()), 1, Integer::sum);
            if (first == null || i.job().enqueuedAt().isBefore(first)) first = i.job().enqueuedAt();
            if (i.finishedAt() != null && (last == null || i.finishedAt().isAfter(last))) last = i.finishedAt();
            if (i.state() == JobState.DEAD) dead.add(i);
        }
        out.println();
        out.println("Summary");
        StringBuilder states = new StringBuilder();
        byState.forEach((s, n) -> states.append(states.isEmpty() ? "" : ", ").append(n).append(' ')
                .append(s.name().toLowerCase(Locale.ROOT)));
        out.printf(Locale.ROOT, "  %-12s %d enqueued: %s%n", "jobs", kinds.size(), states);
        StringBuilder mix = new StringBuilder();
        byKind.forEach((k, n) -> mix.append(mix.isEmpty() ? "" : ", ").append(n).append(' ').append(label(k)));
        out.printf(Locale.ROOT, "  %-12s %s%n", "mix", mix);
        out.printf(Locale.ROOT, "  %-12s %d (failed runs scheduled to run again)%n",
                "retries", retried);
        out.printf(Locale.ROOT, "  %-12s %d%n", "dead", dead.size());
        dead.sort(java.util.Comparator.comparing(JobInfo::id));
        for (JobInfo d : dead) {
            out.printf(Locale.ROOT, "  %-12s %s %s: %s%n", "", d.id(), d.job().task(), Errors.oneLine(d.deadReason()));
        }
        if (first != null && last != null && last.isAfter(first)) {
            double secs = Duration.between(first, last).toMillis() / 1000.0;
            out.printf(Locale.ROOT, "  %-12s %,.0f jobs/s on average (%d jobs, first enqueue to last finish %.1fs); "
                    + "peak %,.0f jobs/s%n", "throughput", infos.size() / secs, infos.size(), secs, peakRate);
        }
        out.printf(Locale.ROOT, "  %-12s %d slow I/O jobs at once, each on its own virtual thread%n",
                "concurrency", peakFetches);
        if (awaitedLine != null) out.printf(Locale.ROOT, "  %-12s %s%n", "awaited", awaitedLine);
        out.printf(Locale.ROOT, "  %-12s %s%n", "wall time", DemoView.seconds(wall));
        out.println();
        if (failures.isEmpty()) {
            out.println("All demo checks passed.");
        } else {
            out.println("DEMO CHECKS FAILED:");
            for (String f : failures) out.println("  - " + f);
        }
        out.flush();
    }

    private static String label(Kind k) {
        return switch (k) {
            case QUICK -> "quick";
            case FETCH -> "slow I/O (100-500 ms)";
            case FLAKY -> "flaky (retried)";
            case POISON -> "poison";
            case REMINDER -> "delayed";
            case REPORT -> "awaited report";
        };
    }
}
