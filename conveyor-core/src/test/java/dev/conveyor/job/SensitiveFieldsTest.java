package dev.conveyor.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.Conveyor;
import dev.conveyor.Task;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SensitiveFieldsTest {
    record Login(String user, String password, Nested nested) {}
    record Nested(String password, int n) {}

    @Test
    void masksNamedFieldsAtAnyDepth() {
        String json = "{\"user\":\"ann\",\"password\":\"s3cret\",\"nested\":{\"password\":\"x\",\"n\":1},\"list\":[{\"password\":2}]}";
        String masked = SensitiveFields.mask(json, Set.of("password"));
        assertThat(masked).doesNotContain("s3cret").doesNotContain("\"x\"").contains("\"user\":\"ann\"").contains("\"n\":1");
        assertThat(masked.split("\\*\\*\\*").length - 1).isEqualTo(3);
        assertThat(SensitiveFields.mask("not json {", Set.of("password"))).isEqualTo("\"***\"");
        // the rest shown as stored: a decimal with every digit, not rounded to a double
        assertThat(SensitiveFields.mask("{\"password\":\"x\",\"amount\":0.12345678901234567890123,\"unit\":1.50}", Set.of("password")))
                .isEqualTo("{\"password\":\"***\",\"amount\":0.12345678901234567890123,\"unit\":1.50}");
        assertThat(SensitiveFields.mask(json, Set.of())).isEqualTo(json);
        assertThat(SensitiveFields.mask(null, Set.of("a"))).isNull();
    }

    @Test
    void theTaskOptionTravelsInAHeader() {
        Task<Login, Void> login = Task.named("login", Login.class).sensitive("password", "token").action(l -> {});
        try (Conveyor c = Conveyor.builder().broker("memory:").task(login).build()) {
            String id = c.enqueue(login, new Login("ann", "s3cret", new Nested("y", 1))).id();
            Job job = c.store().get(id).orElseThrow().job();
            assertThat(job.headers()).containsEntry(SensitiveFields.HEADER, "password,token");
            assertThat(SensitiveFields.of(job)).containsExactly("password", "token");
            assertThat(SensitiveFields.maskedArgs(job)).doesNotContain("s3cret").doesNotContain("\"y\"");
            assertThat(job.args()).contains("s3cret"); // stored as given: masking is for display
        }
        assertThatThrownBy(() -> Task.named("x", Login.class).sensitive("a b")).isInstanceOf(IllegalArgumentException.class);
    }
}
