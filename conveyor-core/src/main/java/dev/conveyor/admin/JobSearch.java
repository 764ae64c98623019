package dev.conveyor.admin;

import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.JobStore;
import dev.conveyor.broker.Page;
import dev.conveyor.job.JobInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One page of jobs matching a {@link JobFilter}, in id order (oldest first), with a cursor for the next.
 *
 * <p>Why it stays fast at a million jobs: the state, queue and task go to the broker's keyset listing
 * ({@code id > cursor ORDER BY id LIMIT n} on an index), so a page costs the same on page 1 and page 10,000;
 * an id is a direct lookup. Text conditions (args, error) cannot use an index on every broker, so they are
 * matched here over broker pages of {@value #CHUNK}, and one call examines at most {@code scanBudget} jobs: a rare
 * match in a large store ends the call with what it found and a cursor to scan on ({@link Result#partial()}),
 * instead of scanning a million rows in one request.
 */
public final class JobSearch {
    /** Jobs read per broker call while scanning for text. */
    public static final int CHUNK = 500;
    /** Jobs examined per call by default when matching text. */
    public static final int DEFAULT_SCAN_BUDGET = 20_000;

    private JobSearch() {}

    /**
     * A page of matches.
     *
     * @param items      the matching jobs, at most the requested size
     * @param nextCursor pass back to read on, or null at the end
     * @param scanned    jobs examined (for text conditions; else the page size)
     * @param partial    true when the scan budget ran out before the page was full: there may be more matches
     *                   after {@code nextCursor}
     */
    public record Result(List<JobInfo> items, String nextCursor, long scanned, boolean partial) {
        public Result {
            items = List.copyOf(items);
        }
    }

    /** {@link #page(JobStore, JobFilter, String, int, int)} with the default scan budget. */
    public static Result page(JobStore store, JobFilter filter, String cursor, int limit) {
        return page(store, filter, cursor, limit, DEFAULT_SCAN_BUDGET);
    }

    /**
     * Reads one page. {@code limit} is clamped to 1–{@value JobQuery#MAX_LIMIT}, {@code scanBudget} to at least
     * {@code limit}.
     */
    public static Result page(JobStore store, JobFilter filter, String cursor, int limit, int scanBudget) {
        int size = Math.clamp(limit, 1, JobQuery.MAX_LIMIT);
        if (filter.id() != null) {
            Optional<JobInfo> one = cursor == null ? store.get(filter.id()) : Optional.empty();
            List<JobInfo> items = one.filter(filter::matches).map(List::of).orElse(List.of());
            return new Result(items, null, items.size(), false);
        }
        if (!filter.needsScan()) {
            Page<JobInfo> page = store.list(filter.query(cursor, size));
            return new Result(page.items(), page.nextCursor(), page.items().size(), false);
        }
        long budget = Math.max(size, scanBudget);
        List<JobInfo> found = new ArrayList<>();
        long scanned = 0;
        String after = cursor;
        while (true) {
            Page<JobInfo> page = store.list(filter.query(after, CHUNK));
            for (JobInfo info : page.items()) {
                scanned++;
                after = info.id();
                if (filter.matches(info)) {
                    found.add(info);
                    if (found.size() == size) return new Result(found, after, scanned, false);
                }
            }
            if (page.nextCursor() == null) return new Result(found, null, scanned, false);
            if (scanned >= budget) return new Result(found, after, scanned, true);
        }
    }

    /**
     * Visits every job matching {@code filter}, page by page (for bulk actions); stops early when
     * {@code visitor} returns false. Returns how many were visited.
     */
    public static long forEach(JobStore store, JobFilter filter, java.util.function.Predicate<List<JobInfo>> visitor) {
        long n = 0;
        String cursor = null;
        while (true) {
            Result r = page(store, filter, cursor, JobQuery.MAX_LIMIT, Integer.MAX_VALUE);
            n += r.items().size();
            if (!r.items().isEmpty() && !visitor.test(r.items())) return n;
            if (r.nextCursor() == null) return n;
            cursor = r.nextCursor();
        }
    }
}
