package dev.conveyor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.broker.Capability;
import dev.conveyor.broker.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link StateStore}: compare-and-set state shared by every worker (schedules' fire times, pause flags). */
abstract class StateSuite extends SuiteBase {
    @BeforeEach
    void needsState() {
        requires(Capability.STATE);
    }

    StateStore state() {
        assertThat(broker()).as("a broker declaring STATE implements StateStore").isInstanceOf(StateStore.class);
        return (StateStore) broker();
    }

    /** A key no other test uses (the stores are shared between tests on server brokers). */
    String key(String name) {
        return queue() + ":" + name;
    }

    @Test
    void createsOnlyWhenAbsentAndReplacesOnlyTheExpectedValue() {
        StateStore s = state();
        String k = key("k");
        assertThat(s.readState(k)).isEmpty();
        assertThat(s.compareAndSetState(k, "x", "y")).as("expected a value, none stored").isFalse();
        assertThat(s.compareAndSetState(k, null, "one")).as("create").isTrue();
        assertThat(s.compareAndSetState(k, null, "again")).as("create when present").isFalse();
        assertThat(s.readState(k)).contains("one");
        assertThat(s.compareAndSetState(k, "other", "two")).as("wrong expectation").isFalse();
        assertThat(s.readState(k)).contains("one");
        assertThat(s.compareAndSetState(k, "one", "two")).isTrue();
        assertThat(s.readState(k)).contains("two");
        assertThat(s.compareAndSetState(k, "one", null)).as("delete with a stale expectation").isFalse();
        assertThat(s.compareAndSetState(k, "two", null)).as("delete").isTrue();
        assertThat(s.readState(k)).isEmpty();
        assertThat(s.compareAndSetState(k, null, "three")).as("create after delete").isTrue();
    }

    @Test
    void keepsValuesExactlyIncludingJsonAndUnicode() {
        StateStore s = state();
        String k = key("json");
        String value = "{\"last\":1767225600000,\"note\":\"caf\u00e9 \u2603 \\\"quoted\\\"\",\"big\":\"" + "x".repeat(10_000) + "\"}";
        assertThat(s.compareAndSetState(k, null, value)).isTrue();
        assertThat(s.readState(k)).contains(value);
        assertThat(s.compareAndSetState(k, value, "")).as("the empty string is a value, not a delete").isTrue();
        assertThat(s.readState(k)).contains("");
    }

    @Test
    void listsKeysByPrefixInKeyOrder() {
        StateStore s = state();
        String p = key("list");
        s.compareAndSetState(p + ":b", null, "2");
        s.compareAndSetState(p + ":a", null, "1");
        s.compareAndSetState(p + ":c", null, "3");
        s.compareAndSetState(p + "x:other", null, "4"); // shares the prefix's text but not ":"
        assertThat(s.readStates(p + ":")).containsExactly(
                java.util.Map.entry(p + ":a", "1"), java.util.Map.entry(p + ":b", "2"), java.util.Map.entry(p + ":c", "3"));
        assertThat(s.readStates(key("nothing-here"))).isEmpty();
    }

    @Test
    void refusesBadKeysAndOversizedValuesWithAClearError() {
        StateStore s = state();
        assertThatThrownBy(() -> s.compareAndSetState("", null, "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("state key");
        assertThatThrownBy(() -> s.compareAndSetState("has space", null, "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.compareAndSetState("k".repeat(256), null, "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.compareAndSetState(key("big"), null, "v".repeat(StateStore.MAX_VALUE_LENGTH + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
    }

    @Test
    void concurrentIncrementsThroughCompareAndSetLoseNothing() throws Exception {
        StateStore s = state();
        String k = key("counter");
        int threads = 4;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit((Callable<Integer>) () -> {
                    int conflicts = 0;
                    for (int i = 0; i < each; i++) {
                        while (true) {
                            String seen = s.readState(k).orElse(null);
                            String next = Integer.toString(seen == null ? 1 : Integer.parseInt(seen) + 1);
                            if (s.compareAndSetState(k, seen, next)) break;
                            conflicts++;
                        }
                    }
                    return conflicts;
                }));
            }
            for (Future<Integer> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(s.readState(k)).contains(Integer.toString(threads * each));
    }

    @Test
    void storesTheLargestValueExactlyAndComparesCaseAndSpacesExactly() {
        StateStore s = state();
        String big = key("big");
        // Multi-byte characters up to the limit: a store that counts bytes, or truncates silently, fails here.
        String value = "\u00e9\u2603".repeat(StateStore.MAX_VALUE_LENGTH / 2);
        assertThat(value).hasSize(StateStore.MAX_VALUE_LENGTH);
        assertThat(s.compareAndSetState(big, null, value)).isTrue();
        assertThat(s.readState(big)).contains(value);
        assertThat(s.compareAndSetState(big, value, "next")).as("the value it wrote is the value it reads").isTrue();

        String k = key("case");
        assertThat(s.compareAndSetState(k, null, "{\"a\":\"abc\"}")).isTrue();
        assertThat(s.compareAndSetState(k, "{\"A\":\"ABC\"}", "x")).as("other case").isFalse();
        assertThat(s.compareAndSetState(k, "{\"a\":\"abc\"}  ", "x")).as("trailing spaces").isFalse();
        assertThat(s.readState(k)).contains("{\"a\":\"abc\"}");
    }
}
