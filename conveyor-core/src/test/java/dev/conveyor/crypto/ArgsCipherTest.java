package dev.conveyor.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.JobHandle;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArgsCipherTest {
    record Card(String number, int cents) {}

    private static final String K1 = ArgsCipher.newKey();
    private static final String K2 = ArgsCipher.newKey();

    @Test
    void sealsAndOpensAndTheCiphertextHoldsNoPlaintext() {
        ArgsCipher c = ArgsCipher.parse("k1:" + K1);
        String sealed = c.seal("pay", "{\"number\":\"4111111111111111\"}");
        assertThat(sealed).startsWith("{\"$encrypted\":\"v1.k1.").doesNotContain("4111");
        assertThat(ArgsCipher.isSealed(sealed)).isTrue();
        assertThat(c.open("pay", sealed)).isEqualTo("{\"number\":\"4111111111111111\"}");
        assertThat(c.seal("pay", "{}")).as("a fresh nonce each time").isNotEqualTo(c.seal("pay", "{}"));
        assertThat(c.open("pay", "{\"plain\":1}")).as("plain args pass through").isEqualTo("{\"plain\":1}");
    }

    @Test
    void rotationOpensOldCiphertextAndSealsWithTheNewKey() {
        String old = ArgsCipher.parse("k1:" + K1).seal("pay", "{\"a\":1}");
        ArgsCipher rotated = ArgsCipher.parse("k2:" + K2 + ", k1:" + K1);
        assertThat(rotated.currentKeyId()).isEqualTo("k2");
        assertThat(rotated.open("pay", old)).isEqualTo("{\"a\":1}");
        assertThat(rotated.seal("pay", "{}")).contains("v1.k2.");
    }

    @Test
    void wrongKeyOtherTaskTamperingAndMissingKeysFailClearly() {
        ArgsCipher c = ArgsCipher.parse("k1:" + K1);
        String sealed = c.seal("pay", "{\"a\":1}");
        assertThatThrownBy(() -> ArgsCipher.parse("k1:" + K2).open("pay", sealed))
                .isInstanceOf(ArgsCipherException.class).hasMessageContaining("do not open with key 'k1'");
        assertThatThrownBy(() -> c.open("refund", sealed)).as("bound to its task")
                .isInstanceOf(ArgsCipherException.class).hasMessageContaining("sealed for another task");
        String tampered = sealed.substring(0, sealed.length() - 4) + (sealed.charAt(sealed.length() - 4) == 'A' ? "B" : "A")
                + sealed.substring(sealed.length() - 3);
        assertThatThrownBy(() -> c.open("pay", tampered)).isInstanceOf(ArgsCipherException.class);
        assertThatThrownBy(() -> ArgsCipher.parse("k9:" + K2).open("pay", sealed))
                .isInstanceOf(ArgsCipherException.class).hasMessageContaining("key 'k1', which this worker does not have");
        assertThatThrownBy(() -> ArgsCipher.open(null, "pay", sealed))
                .isInstanceOf(ArgsCipherException.class).hasMessageContaining("CONVEYOR_ARGS_KEYS");
    }

    @Test
    void badKeySpecsAreRefusedWithoutEchoingTheKey() {
        String short16 = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> ArgsCipher.parse("k1:" + short16)).hasMessageContaining("must be 32 bytes")
                .hasMessageNotContaining(short16);
        assertThatThrownBy(() -> ArgsCipher.parse("")).hasMessageContaining("id:base64key");
        assertThatThrownBy(() -> ArgsCipher.parse("k1:" + K1 + ",k1:" + K2)).hasMessageContaining("given twice");
        assertThatThrownBy(() -> ArgsCipher.parse("bad id:" + K1)).hasMessageContaining("key id");
        assertThatThrownBy(() -> ArgsCipher.parse("k1:not base64!!")).hasMessageContaining("not base64")
                .hasMessageNotContaining("not base64!!");
        assertThatThrownBy(() -> ArgsCipher.of(Map.of("a", new byte[32]), "b")).hasMessageContaining("current key id");
        assertThat(ArgsCipher.parse("k1:" + K1).toString()).doesNotContain(K1);
    }

    @Test
    void aWorkerRunsEncryptedJobsAndTheStoreHoldsOnlyCiphertext() {
        Task<Card, String> pay = Task.named("pay", Card.class, String.class).encryptArgs()
                .handler(c -> c.number().substring(12) + ":" + c.cents());
        try (Conveyor conveyor = Conveyor.builder().broker("memory:").argsCipher(ArgsCipher.parse("k1:" + K1))
                .task(pay).build()) {
            JobHandle<String> job = conveyor.enqueue(pay, new Card("4111111111111111", 995));
            JobInfo stored = conveyor.store().get(job.id()).orElseThrow();
            assertThat(stored.job().args()).doesNotContain("4111").startsWith("{\"$encrypted\"");
            conveyor.startWorker(WorkerOptions.defaults().pollInterval(Duration.ofMillis(20)));
            assertThat(job.await(Duration.ofSeconds(10))).isEqualTo("1111:995");
        }
    }

    @Test
    void aTaskThatEncryptsNeedsAKeyAndAWorkerWithoutOneBuriesWithAReason() {
        Task<Card, String> pay = Task.named("pay", Card.class, String.class).encryptArgs().handler(c -> "ran");
        assertThatThrownBy(() -> Conveyor.builder().broker("memory:").task(pay).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("argsCipher");

        Task<Card, String> plainPay = Task.named("pay", Card.class, String.class).handler(c -> "ran");
        try (Conveyor conveyor = Conveyor.builder().broker("memory:").task(plainPay).build()) {
            // A producer with the key sealed it; this worker has none.
            String sealed = ArgsCipher.parse("k1:" + K1).seal("pay", "{\"number\":\"4111111111111111\",\"cents\":1}");
            JobHandle<?> job = conveyor.enqueueJson("pay", sealed, EnqueueOptions.defaults());
            conveyor.startWorker(WorkerOptions.defaults().pollInterval(Duration.ofMillis(20)));
            JobInfo dead = conveyor.store().awaitFinished(job.id(), Duration.ofSeconds(10)).orElseThrow();
            assertThat(dead.state()).isEqualTo(JobState.DEAD);
            assertThat(dead.deadReason()).contains("encrypted").contains("CONVEYOR_ARGS_KEYS").doesNotContain("4111");
        }
    }
}
