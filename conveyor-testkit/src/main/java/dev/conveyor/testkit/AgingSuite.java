package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.broker.Capability;
import dev.conveyor.broker.LeasedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Priority aging ({@link dev.conveyor.broker.JobStore#agePriority}): waiting jobs move up one priority per call. */
abstract class AgingSuite extends SuiteBase {

    @Test
    void aJobThatWaitedLongEnoughMovesUpOnePriorityAndOvertakesNewerOnes() {
        requires(Capability.PRIORITY_AGING);
        String q = queue();
        String old = enqueue(job(q).priority(3).build());
        clock().advance(Duration.ofMinutes(1));
        String fresh = enqueue(job(q).priority(4).build());
        Instant readySince = now().minusSeconds(30);

        assertThat(store().agePriority(q, 3, readySince, 100)).as("jobs moved from 3 to 4").isEqualTo(1);
        assertThat(info(old).job().priority()).isEqualTo(4);
        assertThat(store().agePriority(q, 4, readySince, 100)).as("the fresh job has not waited 30 s")
                .isEqualTo(1); // the old job, now at 4, moves on to 5
        assertThat(info(fresh).job().priority()).isEqualTo(4);
        List<String> order = new ArrayList<>();
        for (LeasedJob j : fetch(q, 10)) order.add(j.job().id());
        assertThat(order).containsExactly(old, fresh);
    }

    @Test
    void movesAtMostLimitJobsEarliestFirstAndOnlyReadyOnes() {
        requires(Capability.PRIORITY_AGING);
        String q = queue();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(enqueue(job(q).priority(0).build()));
            clock().advance(Duration.ofSeconds(1));
        }
        String running = enqueue(job(q).priority(9).build());
        assertThat(fetch(q, 1)).extracting(j -> j.job().id()).containsExactly(running);
        String delayed = enqueue(job(q).priority(0).delay(Duration.ofHours(1)).build());

        assertThat(store().agePriority(q, 0, now(), 2)).isEqualTo(2);
        assertThat(info(ids.get(0)).job().priority()).isEqualTo(1);
        assertThat(info(ids.get(1)).job().priority()).isEqualTo(1);
        assertThat(info(ids.get(2)).job().priority()).isEqualTo(0);
        assertThat(store().agePriority(q, 0, now(), 100)).isEqualTo(3);
        assertThat(store().agePriority(q, 0, now(), 100)).isZero();
        assertThat(info(delayed).job().priority()).as("a scheduled job is not waiting yet").isZero();
        assertThat(info(running).job().priority()).isEqualTo(9);
    }

    @Test
    void refusesBadArgumentsNamingThem() {
        requires(Capability.PRIORITY_AGING);
        String q = queue();
        assertThatThrownBy(() -> store().agePriority(q, 9, now(), 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("priority to age must be 0 to 8");
        assertThatThrownBy(() -> store().agePriority(q, 0, now(), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit");
        assertThatThrownBy(() -> store().agePriority("no spaces", 0, now(), 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queue");
    }
}
