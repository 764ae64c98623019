package dev.conveyor.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.admin.JobFilter;
import dev.conveyor.admin.JobSearch;
import dev.conveyor.job.JobState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paging stays fast however deep: a million jobs in the embedded SQLite store, and the dashboard's listing of the
 * first page, of a page near the end (by cursor), of a queue, and a text search all answer in milliseconds,
 * because each is a keyset range on an index (or a bounded scan) — never an OFFSET.
 */
class PagingScaleTest {
    record N(int n) {}

    static final dev.conveyor.Task<N, Void> WORK = dev.conveyor.Task.named("work", N.class).action(n -> {});
    static final int JOBS = Integer.getInteger("conveyor.scale.jobs", 1_000_000);

    @TempDir
    Path dir;

    @Test
    void aPageCostsTheSameOnPageOneAndNearTheEnd() {
        try (Conveyor c = Conveyor.builder().broker("sqlite:" + dir.resolve("scale.db")).task(WORK).build()) {
            long t0 = System.nanoTime();
            List<N> args = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) args.add(new N(i));
            String last = null;
            for (int done = 0; done < JOBS; done += args.size()) {
                String queue = done % 500_000 == 0 ? "rare" : "bulk";
                List<dev.conveyor.JobHandle<Void>> h = c.enqueueAll(WORK, args, EnqueueOptions.defaults().queue(queue));
                last = h.getLast().id();
            }
            System.out.printf("enqueued %,d jobs in %.1f s%n", JOBS, (System.nanoTime() - t0) / 1e9);
            var store = c.store();
            JobFilter ready = new JobFilter(JobState.READY, null, null, null, null, null);
            JobSearch.page(store, ready, null, 50); // warm up
            long first = time(() -> JobSearch.page(store, ready, null, 50));
            String deep = store.list(ready.query(null, 1)).items().getFirst().id();
            // A cursor 50 jobs before the end: the last page.
            String lateCursor = lastMinus(store, 60);
            long deepPage = time(() -> JobSearch.page(store, JobFilter.all(), lateCursor, 50));
            long queue = time(() -> JobSearch.page(store, new JobFilter(null, "rare", null, null, null, null), null, 50));
            long text = time(() -> JobSearch.page(store, new JobFilter(null, null, null, null, "\"n\":9999}", null), null, 50));
            long byId = time(() -> JobSearch.page(store, new JobFilter(null, null, null, deep, null, null), null, 50));
            long counts = time(store::queues);
            System.out.printf("queue counts (the overview's one query) %d ms%n", counts);
            System.out.printf("first page %d ms, last page %d ms, queue 'rare' %d ms, args text (budget %,d) %d ms, id %d ms%n",
                    first, deepPage, queue, JobSearch.DEFAULT_SCAN_BUDGET, text, byId);
            assertThat(last).isNotNull();
            assertThat(first).isLessThan(500);
            assertThat(deepPage).isLessThan(500);
            assertThat(byId).isLessThan(500);
            assertThat(text).isLessThan(5_000);
        }
    }

    private static String lastMinus(dev.conveyor.broker.JobStore store, int n) {
        // Walk to the end with the largest pages the SPI allows; only to find a late cursor for the measurement.
        String cursor = null;
        List<String> tail = new ArrayList<>();
        while (true) {
            var page = store.list(new dev.conveyor.broker.JobQuery(null, null, null, cursor, dev.conveyor.broker.JobQuery.MAX_LIMIT));
            page.items().forEach(i -> tail.add(i.id()));
            if (tail.size() > 2 * n) tail.subList(0, tail.size() - n).clear();
            if (page.nextCursor() == null) break;
            cursor = page.nextCursor();
        }
        return tail.get(tail.size() - n);
    }

    private static long time(Runnable r) {
        long t = System.nanoTime();
        r.run();
        return (System.nanoTime() - t) / 1_000_000;
    }
}
