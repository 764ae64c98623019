package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.broker.Capability;
import dev.conveyor.broker.JobStore;
import dev.conveyor.job.JobState;
import dev.conveyor.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Several workers draining one queue: every job runs exactly once, no lease is ever lost. */
abstract class LoadSuite extends SuiteBase {
    static final int JOBS = 10_000;
    static final int WORKERS = 4;

    @Test
    void fourWorkersDrainTenThousandJobsEachRunningExactlyOnce() {
        String q = queue();
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        Task<Num, Void> drain = Task.named("conformance.drain", Num.class).queue(q)
                .action((a, ctx) -> runs.computeIfAbsent(ctx.jobId(), k -> new AtomicInteger()).incrementAndGet());
        Conveyor conveyor = conveyor(drain);
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            workers.add(conveyor.startWorker(workerOptions(q).leaseDuration(Duration.ofMinutes(10))
                    .heartbeatInterval(Duration.ofMillis(100))));
        }
        List<Num> args = new ArrayList<>(JOBS);
        for (int i = 0; i < JOBS; i++) args.add(new Num(i));
        List<String> ids = conveyor.enqueueAll(drain, args).stream().map(h -> h.id()).toList();
        assertThat(ids).doesNotHaveDuplicates();

        eventually().atMost(Duration.ofSeconds(60)).alias("all jobs recorded as succeeded")
                .until(() -> workers.stream().mapToLong(w -> w.stats().succeeded()).sum() >= JOBS);
        assertThat(runs).as("jobs that ran").hasSize(JOBS).containsOnlyKeys(ids);
        assertThat(runs.values()).as("runs per job").allSatisfy(n -> assertThat(n).hasValue(1));
        assertThat(workers).allSatisfy(w -> {
            assertThat(w.stats().stale()).as("stale outcomes of %s", w.name()).isZero();
            assertThat(w.stats().dead()).isZero();
            assertThat(w.stats().retried()).isZero();
        });
        assertThat(workers.stream().mapToLong(w -> w.stats().succeeded()).sum()).isEqualTo(JOBS);
        if (declares(Capability.INSPECTION)) {
            assertThat(((JobStore) broker()).queues()).filteredOn(s -> s.queue().equals(q)).singleElement()
                    .satisfies(s -> {
                        assertThat(s.count(JobState.SUCCEEDED)).isEqualTo(JOBS);
                        for (JobState other : List.of(JobState.SCHEDULED, JobState.READY, JobState.RUNNING, JobState.DEAD)) {
                            assertThat(s.count(other)).as("%s jobs", other).isZero();
                        }
                    });
        }
    }
}
