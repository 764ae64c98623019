package dev.conveyor.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.testing.TestWorker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JobSearchTest {
    record Order(int n, String customer, String card) {}

    static final Task<Order, Void> SHIP = Task.named("ship", Order.class).maxAttempts(1).sensitive("card").action(o -> {
        if (o.n() % 3 == 0) throw new IllegalStateException("carrier down for " + o.customer());
    });

    Conveyor conveyor;

    @BeforeEach
    void setUp() {
        conveyor = Conveyor.builder().broker("memory:").task(SHIP).build();
        for (int i = 0; i < 90; i++) conveyor.enqueue(SHIP, new Order(i, i % 2 == 0 ? "acme" : "globex", "4111-" + i));
        TestWorker.of(conveyor).drain();
    }

    @AfterEach
    void tearDown() {
        conveyor.close();
    }

    @Test
    void textConditionsPageThroughEveryMatchOnce() {
        JobFilter filter = new JobFilter(null, null, null, null, "globex", "carrier");
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JobSearch.Result r = JobSearch.page(conveyor.store(), filter, cursor, 4);
            assertThat(r.items()).hasSizeLessThanOrEqualTo(4);
            r.items().forEach(i -> seen.add(i.id()));
            cursor = r.nextCursor();
        } while (cursor != null);
        assertThat(seen).hasSize(15).doesNotHaveDuplicates(); // odd multiples of 3 below 90
    }

    @Test
    void theScanBudgetEndsACallEarlyWithACursorToGoOn() {
        JobFilter filter = new JobFilter(null, null, null, null, "no such text", null);
        JobSearch.Result r = JobSearch.page(conveyor.store(), filter, null, 10, 10);
        // One chunk is read at least; with 90 jobs it ends there.
        assertThat(r.items()).isEmpty();
        assertThat(r.scanned()).isEqualTo(90);
        assertThat(r.nextCursor()).isNull();
    }

    @Test
    void maskedValuesNeverMatchAndAnIdIsALookup() {
        assertThat(JobSearch.page(conveyor.store(), new JobFilter(null, null, null, null, "4111", null), null, 50).items()).isEmpty();
        JobInfo any = conveyor.store().list(dev.conveyor.broker.JobQuery.all(1)).items().getFirst();
        JobSearch.Result r = JobSearch.page(conveyor.store(), new JobFilter(null, null, null, any.id(), null, null), null, 50);
        assertThat(r.items()).extracting(JobInfo::id).containsExactly(any.id());
    }

    @Test
    void deadLettersCountThenRedriveTheSameJobs() {
        JobFilter filter = new JobFilter(null, null, "ship", null, null, "acme");
        assertThat(DeadLetters.count(conveyor.store(), filter)).isEqualTo(15);
        assertThat(DeadLetters.count(conveyor.store(), JobFilter.dead(null))).isEqualTo(30);
        assertThat(DeadLetters.redrive(conveyor.store(), filter, false)).isEqualTo(new DeadLetters.Outcome(15, false));
        assertThat(conveyor.store().queues().getFirst().count(JobState.DEAD)).isEqualTo(15);
        assertThat(conveyor.store().queues().getFirst().count(JobState.READY)).isEqualTo(15);
        assertThat(DeadLetters.redrive(conveyor.store(), JobFilter.dead("default"), true).count()).isEqualTo(15);
    }
}
