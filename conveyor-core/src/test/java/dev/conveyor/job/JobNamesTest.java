package dev.conveyor.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The queue and task name checks, written as loops, accept exactly what their documented rules accept. */
class JobNamesTest {
    @Test
    void isQueueNameAgreesWithThePatternOnEdgeCasesAndRandomText() {
        List<String> samples = new ArrayList<>(List.of("", "a", "default", "a.b-c_D9", "x".repeat(64), "x".repeat(65),
                "with space", "tab\t", "é", "ÿ", "Ａ", "a/b", "a{b}", "a:b", "0", "-", ".", "_", "a\u0000", "\uD83D\uDE00"));
        Random random = new Random(42);
        String alphabet = "azAZ09_.-/:{} \té\u0000\u007f";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(70);
            for (int k = 0; k < n; k++) b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            samples.add(b.toString());
        }
        for (String s : samples) {
            assertThat(Job.isQueueName(s)).as("'%s'", s).isEqualTo(Job.QUEUE_NAME.matcher(s).matches());
        }
        assertThat(Job.isQueueName(null)).isFalse();
    }

    @Test
    void queueAndTaskNamesAreRefusedWithTheRule() {
        assertThatThrownBy(() -> Job.requireQueueName("a b")).hasMessageContaining("[A-Za-z0-9_.-]{1,64}");
        assertThatThrownBy(() -> Job.requireQueueName(null)).hasMessageContaining("was null");
        assertThat(Job.requireQueueName("emails.high")).isEqualTo("emails.high");
        assertThatThrownBy(() -> Job.requireTaskName(" ")).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> Job.requireTaskName("send\nmail")).hasMessageContaining("printable");
        assertThatThrownBy(() -> Job.requireTaskName("send\u0085mail")).hasMessageContaining("printable");
        assertThatThrownBy(() -> Job.requireTaskName("t".repeat(201))).hasMessageContaining("1 to 200");
        assertThat(Job.requireTaskName("send_email (v2) ✉")).isEqualTo("send_email (v2) ✉");
    }
}
