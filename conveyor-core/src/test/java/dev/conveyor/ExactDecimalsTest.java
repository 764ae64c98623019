package dev.conveyor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.schedule.Schedule;
import dev.conveyor.schedule.ScheduleFile;
import dev.conveyor.testing.TestWorker;
import dev.conveyor.workflow.Flow;
import dev.conveyor.workflow.WorkflowHandle;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Money keeps every digit wherever Conveyor reads JSON text only to check it or pass it on: args given as JSON
 * ({@code enqueueJson}, the CLI), a schedule file's args, a workflow step's result handed to the next step. Read as
 * doubles, {@code 0.12345678901234567890123} came back as {@code 0.12345678901234568} and {@code 1.50} as {@code 1.5}.
 */
class ExactDecimalsTest {
    record Price(BigDecimal amount, BigDecimal unit) {}

    private static final String ARGS = "{\"amount\":0.12345678901234567890123,\"unit\":1.50}";
    private static final Price EXACT = new Price(new BigDecimal("0.12345678901234567890123"), new BigDecimal("1.50"));

    @Test
    void argsGivenAsJsonReachTheHandlerDigitForDigit() {
        List<Price> seen = new CopyOnWriteArrayList<>();
        Task<Price, Void> charge = Task.named("charge", Price.class).action(p -> {
            seen.add(p);
        });
        try (Conveyor c = Conveyor.builder().broker("memory:").task(charge).build()) {
            var job = c.enqueueJson("charge", ARGS, EnqueueOptions.defaults());
            assertThat(job.info().orElseThrow().job().args()).isEqualTo(ARGS);
            TestWorker.of(c).drain();
            assertThat(seen).containsExactly(EXACT);
            assertThat(seen.get(0).unit().scale()).isEqualTo(2);
            // a decimal no BigDecimal can hold is refused as bad JSON, not a NumberFormatException from deep inside
            assertThatThrownBy(() -> c.enqueueJson("charge", "{\"amount\":72e55552225555}", EnqueueOptions.defaults()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("args must be JSON")
                    .hasMessageContaining("exponent is out of range");
        }
    }

    @Test
    void aScheduleFilesArgsKeepTheirDigits() {
        List<Schedule> s = ScheduleFile.parse("[{\"name\": \"bill\", \"cron\": \"@every 1h\", \"task\": \"charge\", \"args\": " + ARGS + "}]");
        assertThat(s.get(0).args()).isEqualTo(new Schedule.JsonArgs(ARGS));
    }

    @Test
    void aStepsResultReachesTheNextStepDigitForDigit() {
        Task<Price, Price> quote = Task.named("quote", Price.class, Price.class).handler(p -> p);
        List<Price> seen = new CopyOnWriteArrayList<>();
        Task<Price, Price> charge = Task.named("charge", Price.class, Price.class).handler(p -> {
            seen.add(p);
            return p;
        });
        try (Conveyor c = Conveyor.builder().broker("memory:").tasks(quote, charge).build()) {
            WorkflowHandle<Price> h = c.start(Flow.chain(Flow.step(quote, EXACT), Flow.then(charge)), Price.class);
            TestWorker.of(c).drain();
            assertThat(seen).containsExactly(EXACT);
            assertThat(h.get(Duration.ofSeconds(1))).isEqualTo(EXACT);
        }
    }
}
