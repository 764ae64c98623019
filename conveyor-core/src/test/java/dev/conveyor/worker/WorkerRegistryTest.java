package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.broker.StateStore;
import dev.conveyor.broker.memory.MemoryBroker;
import dev.conveyor.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerRegistryTest {
    @Test
    void aWorkerRegistersOnEachBeatIsLostWhenItStopsBeatingAndIsDroppedLater() {
        SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        StateStore state = new MemoryBroker(new dev.conveyor.broker.BrokerContext(clock));
        int[] inFlight = {3};
        WorkerRegistry registry = new WorkerRegistry(state, clock, "host-a/42/abc", List.of("mail"), 10,
                Duration.ofSeconds(10), () -> inFlight[0], () -> 2);
        registry.beat();
        WorkerRecord r = WorkerRecord.list(state).getFirst();
        assertThat(r.host()).isEqualTo("host-a");
        assertThat(r.inFlight()).isEqualTo(3);
        assertThat(r.held()).isEqualTo(2);
        assertThat(r.queues()).containsExactly("mail");
        assertThat(r.lost(clock.instant())).isFalse();

        clock.advance(Duration.ofSeconds(31));
        assertThat(WorkerRecord.list(state).getFirst().lost(clock.instant())).isTrue();
        inFlight[0] = 1;
        registry.beat();
        assertThat(WorkerRecord.list(state).getFirst().lost(clock.instant())).isFalse();
        assertThat(WorkerRecord.list(state).getFirst().inFlight()).isEqualTo(1);

        // Another worker's beat sweeps records lost for longer than DROP_AFTER.
        WorkerRegistry other = new WorkerRegistry(state, clock, "host-b/7/def", List.of("mail"), 1,
                Duration.ofSeconds(10), () -> 0, () -> 0);
        clock.advance(WorkerRegistry.DROP_AFTER.plusMinutes(2));
        other.beat();
        assertThat(WorkerRecord.list(state)).extracting(WorkerRecord::name).containsExactly("host-b/7/def");
        other.remove();
        assertThat(WorkerRecord.list(state)).isEmpty();
        assertThat(WorkerRecord.parse("not json")).isNull();
        // a record written before the held count reads as holding none
        String before = new WorkerRecord("old/1/a", "old", 1, List.of("mail"), 8, 4, 3, 0, 0, 10_000).toJson()
                .replace(",\"held\":3", "");
        assertThat(before).doesNotContain("held");
        WorkerRecord old = WorkerRecord.parse(before);
        assertThat(old.inFlight()).isEqualTo(4);
        assertThat(old.held()).isZero();
    }
}
