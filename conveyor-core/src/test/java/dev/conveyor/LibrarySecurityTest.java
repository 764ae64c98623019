package dev.conveyor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.broker.Brokers;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import dev.conveyor.testing.TestWorker;
import java.io.ObjectInputFilter;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SECURITY.md's promises that the library keeps: see the tests' names. */
class LibrarySecurityTest {
    /** Set by {@link Trap}'s static initializer (kept out of Trap: reading a field of Trap would initialize it). */
    static volatile boolean trapInitialized;

    /** Its static initializer records that someone loaded it by name. */
    public static final class Trap {
        static {
            trapInitialized = true;
        }

        public Trap() {}
    }

    record Holder(Object value) {}

    @Test
    void aTaskNameThatNamesAClassIsAnUnknownTaskAndTheClassIsNeverLoaded() {
        Task<Holder, Void> known = Task.named("known", Holder.class).action(h -> {});
        try (Conveyor c = Conveyor.builder().broker("memory:").task(known).build()) {
            JobHandle<?> h = c.enqueueJson(Trap.class.getName(), "{}", EnqueueOptions.defaults());
            JobHandle<?> viaRuntime = c.enqueueJson("java.lang.Runtime", "{}", EnqueueOptions.defaults());
            TestWorker.of(c).drain();
            for (JobHandle<?> j : new JobHandle<?>[] {h, viaRuntime}) {
                JobInfo info = j.info().orElseThrow();
                assertThat(info.state()).isEqualTo(JobState.DEAD);
                assertThat(info.deadReason()).startsWith("unknown task");
            }
        }
        assertThat(trapInitialized).as("a class named by message data was loaded").isFalse();
    }

    @Test
    void argsCannotNameTheTypeToBuild() {
        AtomicReference<Object> seen = new AtomicReference<>();
        Task<Holder, Void> t = Task.named("holder", Holder.class).action(h -> seen.set(h.value()));
        try (Conveyor c = Conveyor.builder().broker("memory:").task(t).build()) {
            for (String hint : new String[] {"{\"value\":{\"@class\":\"" + Trap.class.getName() + "\"}}",
                    "{\"value\":[\"" + Trap.class.getName() + "\",{}]}", "{\"value\":{\"@type\":\"" + Trap.class.getName() + "\"}}"}) {
                c.enqueueJson("holder", hint, EnqueueOptions.defaults());
                TestWorker.of(c).drain();
                assertThat(seen.get()).isInstanceOfAny(Map.class, java.util.List.class);
            }
        }
        assertThat(trapInitialized).isFalse();
    }

    @Test
    void theLibraryLeavesTheJvmWideDeserializationFilterToItsHost() {
        ObjectInputFilter before = ObjectInputFilter.Config.getSerialFilter();
        Task<Holder, Void> t = Task.named("holder", Holder.class).action(h -> {});
        try (Conveyor c = Conveyor.builder().broker("memory:").task(t).build()) {
            c.enqueue(t, new Holder(1));
            c.startWorker(WorkerOptions.defaults().shutdownOnSigterm(false));
            TestWorker.of(c).drain();
        }
        assertThat(ObjectInputFilter.Config.getSerialFilter()).isSameAs(before);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "postgresql://app:s3cret@db.example.com:5432/jobs        | postgresql://app:***@db.example.com:5432/jobs",
            "redis://:s3cret@127.0.0.1:6379/0?prefix=x                 | redis://:***@127.0.0.1:6379/0?prefix=x",
            "mariadb://app:p@ss@db:3306/jobs                           | mariadb://app:***@db:3306/jobs",
            "postgresql://app:a/b:c@db/jobs?schema=s                   | postgresql://app:***@db/jobs?schema=s",
            "rediss://worker:s3cret@redis.example.com:6380/2?timeout=2s | rediss://worker:***@redis.example.com:6380/2?timeout=2s",
            "postgresql://db/jobs?user=app&password=s3cret&schema=s    | postgresql://db/jobs?user=app&password=***&schema=s",
            "redis://127.0.0.1:6379/0?prefix=a                         | redis://127.0.0.1:6379/0?prefix=a",
            "postgresql://app@db:5432/jobs                             | postgresql://app@db:5432/jobs",
            "sqlite:./conveyor-data/conveyor.db                        | sqlite:./conveyor-data/conveyor.db"})
    void brokerUrlsAreRedactedWhateverThePasswordHolds(String url, String shown) {
        assertThat(Brokers.redact(url)).isEqualTo(shown);
    }
}
