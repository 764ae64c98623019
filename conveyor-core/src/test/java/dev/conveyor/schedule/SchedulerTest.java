package dev.conveyor.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import dev.conveyor.broker.BrokerContext;
import dev.conveyor.broker.Completion;
import dev.conveyor.broker.EnqueueResult;
import dev.conveyor.broker.JobQuery;
import dev.conveyor.broker.LeasedJob;
import dev.conveyor.broker.StateStore;
import dev.conveyor.broker.memory.MemoryBroker;
import dev.conveyor.job.JobInfo;
import dev.conveyor.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SchedulerTest {
    record Ping(String note) {}

    static final Task<Ping, Void> PING = Task.named("ping", Ping.class).action(p -> {});

    final SettableClock clock = SettableClock.at(Instant.parse("2026-03-01T00:00:00Z"));
    final MemoryBroker broker = new MemoryBroker(new BrokerContext(clock));
    final List<Conveyor> instances = new ArrayList<>();

    @AfterEach
    void close() {
        instances.forEach(Conveyor::close);
        broker.close();
    }

    Conveyor instance(Schedule... schedules) {
        Conveyor.Builder b = Conveyor.builder().broker(broker).clock(clock).task(PING);
        for (Schedule s : schedules) b.schedule(s);
        Conveyor c = b.build();
        instances.add(c);
        return c;
    }

    Schedule every5Minutes(String queue) {
        return Schedule.cron("five", "*/5 * * * *").task(PING, new Ping("hi")).queue(queue);
    }

    List<JobInfo> jobs(String queue) {
        return broker.list(new JobQuery(null, queue, null, null, 1000)).items();
    }

    /** The fire times the jobs of a queue were enqueued for, from their unique keys. */
    List<Instant> fireTimes(String queue) {
        return jobs(queue).stream().map(j -> Instant.parse(j.job().uniqueKey().substring(j.job().uniqueKey().indexOf('@') + 1)))
                .sorted().toList();
    }

    @Test
    void threeSchedulersRacingOverADayEnqueueEachTickExactlyOnce() {
        Scheduler a = instance(every5Minutes("q")).newScheduler();
        Scheduler b = instance(every5Minutes("q")).newScheduler();
        Scheduler c = instance(every5Minutes("q")).newScheduler();
        List<Scheduler> all = List.of(a, b, c);
        Random random = new Random(42);
        Instant start = clock.instant();
        all.forEach(Scheduler::runOnce); // first sight: the schedule starts counting here
        Instant end = start.plus(Duration.ofDays(1));
        while (clock.instant().isBefore(end)) {
            // Mostly small steps, sometimes a jump over several ticks (a stalled process); schedulers interleave.
            clock.advance(random.nextInt(10) == 0 ? Duration.ofMinutes(random.nextInt(20)) : Duration.ofSeconds(random.nextInt(90)));
            all.get(random.nextInt(3)).runOnce();
            if (random.nextBoolean()) all.get(random.nextInt(3)).runOnce();
        }
        all.forEach(Scheduler::runOnce);
        List<Instant> fired = fireTimes("q");
        assertThat(new HashSet<>(fired)).as("no tick twice").hasSize(fired.size());
        // Late rounds under RUN_ONCE drop the ticks they stand for; every on-time tick is there.
        assertThat(fired).allMatch(t -> t.getEpochSecond() % 300 == 0).isSortedAccordingTo(Instant::compareTo);
        ScheduleState st = Scheduler.list(broker).get("five");
        assertThat(st.fired()).as("state counts what was enqueued").isEqualTo(fired.size());
        assertThat(st.fired() + st.skipped()).as("every tick of the day is accounted for, once")
                .isEqualTo(CronExpression.parse("*/5 * * * *").between(start, st.lastInstant(), ZoneId.of("UTC"), 10_000).size());
    }

    @Test
    void missedTicksAreSkippedRunOnceOrRunAllBounded() {
        Scheduler skip = instance(every5Minutes("skip").onMissed(Schedule.MissedTicks.SKIP)).newScheduler();
        Schedule once = Schedule.cron("once", "*/5 * * * *").task(PING, new Ping("x")).queue("once");
        Schedule all = Schedule.cron("all", "*/5 * * * *").task(PING, new Ping("x")).queue("all").runAllMissed(4);
        Scheduler others = instance(once, all).newScheduler();
        skip.runOnce();
        others.runOnce();
        clock.advance(Duration.ofMinutes(61)); // 12 ticks pass with no scheduler running
        skip.runOnce();
        others.runOnce();
        assertThat(fireTimes("skip")).as("SKIP: all late, none run").isEmpty();
        assertThat(fireTimes("once")).containsExactly(Instant.parse("2026-03-01T01:00:00Z"));
        assertThat(fireTimes("all")).as("RUN_ALL(4): the 4 most recent").containsExactly(
                Instant.parse("2026-03-01T00:45:00Z"), Instant.parse("2026-03-01T00:50:00Z"),
                Instant.parse("2026-03-01T00:55:00Z"), Instant.parse("2026-03-01T01:00:00Z"));
        assertThat(Scheduler.list(broker).get("once").skipped()).isEqualTo(11);

        clock.advance(Duration.ofMinutes(4)); // 01:05, on time
        skip.runOnce();
        others.runOnce();
        assertThat(fireTimes("skip")).containsExactly(Instant.parse("2026-03-01T01:05:00Z"));
        assertThat(fireTimes("once")).hasSize(2);
    }

    @Test
    void overlapSkipWaitsForThePreviousRunToFinish() {
        Scheduler s = instance(every5Minutes("ov").overlap(Schedule.Overlap.SKIP)).newScheduler();
        s.runOnce();
        clock.advance(Duration.ofMinutes(5));
        assertThat(s.runOnce()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(5));
        assertThat(s.runOnce()).as("the 00:05 job is still pending").isZero();
        List<LeasedJob> leased = broker.fetch(List.of("ov"), 10, Duration.ofMinutes(1));
        assertThat(leased).hasSize(1);
        broker.ack(List.of(new Completion(leased.get(0).lease(), null)));
        clock.advance(Duration.ofMinutes(5));
        assertThat(s.runOnce()).isEqualTo(1);
        assertThat(fireTimes("ov")).containsExactly(Instant.parse("2026-03-01T00:05:00Z"), Instant.parse("2026-03-01T00:15:00Z"));
        assertThat(Scheduler.list(broker).get("five").skipped()).isEqualTo(1);
    }

    @Test
    void pausedSchedulesEnqueueNothingAndResumeWithoutCatchingUp() {
        Scheduler s = instance(every5Minutes("p")).newScheduler();
        s.runOnce();
        assertThat(Scheduler.setPaused(broker, "five", true, clock.instant())).isTrue();
        clock.advance(Duration.ofMinutes(30));
        assertThat(s.runOnce()).isZero();
        assertThat(Scheduler.list(broker).get("five").paused()).isTrue();
        assertThat(Scheduler.setPaused(broker, "five", false, clock.instant())).isTrue();
        assertThat(s.runOnce()).as("the paused half hour is not caught up").isZero();
        clock.advance(Duration.ofMinutes(5));
        assertThat(s.runOnce()).isEqualTo(1);
        assertThat(fireTimes("p")).containsExactly(Instant.parse("2026-03-01T00:35:00Z"));
        assertThat(Scheduler.setPaused(broker, "no-such", true, clock.instant())).isFalse();
    }

    @Test
    void aSchedulerThatDiesAfterClaimingLeavesTheTickForTheNextRoundExactlyOnce() {
        Schedule schedule = every5Minutes("crash");
        AtomicInteger calls = new AtomicInteger();
        Conveyor good = instance(schedule);
        Scheduler dying = new Scheduler(List.of(schedule), broker, broker, clock, (sc, t) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("process killed between claim and enqueue");
        });
        Scheduler healthy = good.newScheduler();
        dying.runOnce();
        clock.advance(Duration.ofMinutes(5));
        dying.runOnce(); // claims 00:05, then fails to enqueue it
        assertThat(calls).hasValue(1);
        assertThat(Scheduler.list(broker).get("five").pending()).hasSize(1);
        assertThat(fireTimes("crash")).isEmpty();
        healthy.runOnce();
        assertThat(fireTimes("crash")).as("the claim is fresh: its owner may still be enqueueing").isEmpty();
        clock.advance(Scheduler.PENDING_TAKEOVER);
        healthy.runOnce();
        assertThat(fireTimes("crash")).containsExactly(Instant.parse("2026-03-01T00:05:00Z"));
        assertThat(Scheduler.list(broker).get("five").pending()).isEmpty();
    }

    @Test
    void aFixedTimeInTheSpringForwardGapFiresOnceThatDay() {
        Schedule s = Schedule.cron("berlin", "30 2 * * *").zone(ZoneId.of("Europe/Berlin")).task(PING, new Ping("x"))
                .queue("dst");
        clock.set(Instant.parse("2026-03-28T12:00:00Z"));
        Scheduler scheduler = instance(s).newScheduler();
        scheduler.runOnce();
        for (int i = 0; i < 48 * 60; i++) { // two days, a round a minute
            clock.advance(Duration.ofMinutes(1));
            scheduler.runOnce();
        }
        // 2026-03-29 02:30 does not exist in Berlin: it runs once, shifted by the gap's length to 03:30 CEST (01:30Z).
        assertThat(fireTimes("dst")).containsExactly(Instant.parse("2026-03-29T01:30:00Z"), Instant.parse("2026-03-30T00:30:00Z"));
    }

    @Test
    void jobsCarryTheScheduleTheirFireTimeAndTheTasksArgs() {
        Scheduler s = instance(every5Minutes("h")).newScheduler();
        s.runOnce();
        clock.advance(Duration.ofMinutes(5));
        s.runOnce();
        JobInfo job = jobs("h").get(0);
        assertThat(job.job().task()).isEqualTo("ping");
        assertThat(job.job().args()).isEqualTo("{\"note\":\"hi\"}");
        assertThat(job.job().headers()).containsEntry("conveyor-schedule", "five")
                .containsEntry("conveyor-fire-time", "2026-03-01T00:05:00Z");
        assertThat(job.job().uniqueKey()).isEqualTo("schedule:five@2026-03-01T00:05:00Z");
    }

    @Test
    void unreadableStateIsReplacedNotACrash() {
        Scheduler s = instance(every5Minutes("bad")).newScheduler();
        broker.compareAndSetState(ScheduleState.key("five"), null, "{not json");
        assertThat(s.runOnce()).isZero();
        clock.advance(Duration.ofMinutes(5));
        assertThat(s.runOnce()).isEqualTo(1);
    }

    @Test
    void badDefinitionsFailAtBuildWithWhatIsWrong() {
        assertThatThrownBy(() -> Schedule.cron("has space", "@daily")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schedule name");
        assertThatThrownBy(() -> Schedule.cron("x", "61 * * * *")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("61");
        assertThatThrownBy(() -> instance(Schedule.cron("no-task", "@daily"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no task");
        assertThatThrownBy(() -> instance(Schedule.cron("j", "@daily").taskNamed("ping", "{oops")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> Conveyor.builder().schedule(Schedule.cron("d", "@daily"))
                .schedule(Schedule.cron("d", "@hourly"))).hasMessageContaining("two schedules are named 'd'");
    }

    @Test
    void theStateSharedBySchedulersIsListable() {
        Scheduler s = instance(every5Minutes("l")).newScheduler();
        s.runOnce();
        ScheduleState st = Scheduler.list(broker).get("five");
        assertThat(st.cron()).isEqualTo("*/5 * * * *");
        assertThat(st.zone()).isEqualTo("UTC");
        assertThat(st.task()).isEqualTo("ping");
        assertThat(st.nextInstant()).isEqualTo(Instant.parse("2026-03-01T00:05:00Z"));
        Set<String> keys = ((StateStore) broker).readStates("schedule:").keySet();
        assertThat(keys).containsExactly("schedule:five");
    }

    @Test
    void enqueueResultsReportDuplicatesSoAReplayCountsNothingNew() {
        Schedule schedule = every5Minutes("dup");
        Conveyor c = instance(schedule);
        Scheduler s = c.newScheduler();
        s.runOnce();
        clock.advance(Duration.ofMinutes(5));
        assertThat(s.runOnce()).isEqualTo(1);
        // Replaying the same tick by hand (as a scheduler finishing another's pending list would) is a no-op.
        Scheduler.Enqueuer again = (sc, t) -> broker.enqueue(List.of(jobs("dup").get(0).job())).get(0);
        EnqueueResult r = again.enqueue(schedule, Instant.parse("2026-03-01T00:05:00Z"));
        assertThat(r.duplicate()).isTrue();
        assertThat(jobs("dup")).hasSize(1);
    }

    @Test
    void aLongOutageOfADenseScheduleStillFiresAndKeepsItsStateSmall() {
        Schedule sec = Schedule.cron("sec", "@every 1s").task(PING, new Ping("x")).queue("sec").runAllMissed(1_000);
        Scheduler s = instance(sec).newScheduler();
        s.runOnce();
        clock.advance(Duration.ofHours(3)); // 10,800 ticks missed
        int total = 0;
        for (int i = 0; i < 3; i++) {
            total += s.runOnce();
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(total).as("the most recent 1,000, then one a second").isEqualTo(1_002);
        assertThat(broker.readState(ScheduleState.key("sec")).orElseThrow().length()).isLessThan(2_000);
        assertThatThrownBy(() -> Schedule.cron("x", "@daily").runAllMissed(1_001)).hasMessageContaining("1-1000");
        assertThatThrownBy(() -> Schedule.cron("x", "@daily").grace(Duration.ofMillis(500))).hasMessageContaining("at least 2s");
    }
}
