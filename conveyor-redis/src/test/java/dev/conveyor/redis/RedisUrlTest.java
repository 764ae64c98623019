package dev.conveyor.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisUrlTest {

    @Test
    void aPlainUrlTakesTheDefaults() {
        RedisUrl u = RedisUrl.parse("redis://localhost");
        assertThat(u.nodes()).containsExactly(new RedisUrl.HostPort("localhost", 6379));
        assertThat(u.tls()).isFalse();
        assertThat(u.cluster()).isFalse();
        assertThat(u.database()).isZero();
        assertThat(u.user()).isNull();
        assertThat(u.password()).isNull();
        assertThat(u.prefix()).isEqualTo("conveyor");
        assertThat(u.payloadLimit()).isEqualTo(1 << 20);
        assertThat(u.timeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void everyPartIsRead() {
        RedisUrl u = RedisUrl.parse("rediss://worker:p%40ss@redis.example.com:6380/3?prefix=billing&payloadLimit=256KiB"
                + "&timeout=2s&verifyPeer=false");
        assertThat(u.tls()).isTrue();
        assertThat(u.user()).isEqualTo("worker");
        assertThat(u.password()).isEqualTo("p@ss");
        assertThat(u.nodes()).containsExactly(new RedisUrl.HostPort("redis.example.com", 6380));
        assertThat(u.database()).isEqualTo(3);
        assertThat(u.prefix()).isEqualTo("billing");
        assertThat(u.payloadLimit()).isEqualTo(256 * 1024);
        assertThat(u.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(u.verifyPeer()).isFalse();
        assertThat(u.redacted()).doesNotContain("p%40ss").contains("***");
    }

    @Test
    void aPasswordAloneIsForTheDefaultUser() {
        RedisUrl u = RedisUrl.parse("redis://:secret@10.0.0.5:6379/0");
        assertThat(u.user()).isNull();
        assertThat(u.password()).isEqualTo("secret");
    }

    @Test
    void aClusterUrlListsSeedNodes() {
        RedisUrl u = RedisUrl.parse("redis-cluster://10.0.0.1:7000,10.0.0.2:7001,[::1]:7002/?prefix=app");
        assertThat(u.cluster()).isTrue();
        assertThat(u.nodes()).containsExactly(new RedisUrl.HostPort("10.0.0.1", 7000),
                new RedisUrl.HostPort("10.0.0.2", 7001), new RedisUrl.HostPort("::1", 7002));
        assertThat(RedisUrl.parse("rediss-cluster://h:1").tls()).isTrue();
    }

    @Test
    void sizesAcceptTheCommonUnits() {
        assertThat(RedisUrl.parse("redis://h?payloadLimit=1MiB").payloadLimit()).isEqualTo(1 << 20);
        assertThat(RedisUrl.parse("redis://h?payloadLimit=64KB").payloadLimit()).isEqualTo(64_000);
        assertThat(RedisUrl.parse("redis://h?payloadLimit=5000").payloadLimit()).isEqualTo(5000);
    }

    @Test
    void malformedUrlsNameTheWrongPart() {
        record Bad(String url, String mentions) {}
        for (Bad bad : List.of(
                new Bad("redis:/localhost", "malformed Redis URL"),
                new Bad("redis://", "no host"),
                new Bad("redis://h:99999", "port 99999"),
                new Bad("redis://h:6379/abc", "database '/abc'"),
                new Bad("redis://a:1,b:2", "redis-cluster://"),
                new Bad("redis-cluster://a:1/2", "only database 0"),
                new Bad("redis://user@h", "no password"),
                new Bad("redis://h?prefix=a{b}", "prefix='a{b}'"),
                new Bad("redis://h?prefix=app:x", "prefix='app:x'"),
                new Bad("redis://h?payloadLimit=2MiB", "payloadLimit='2MiB'"),
                new Bad("redis://h?payloadLimit=lots", "payloadLimit='lots'"),
                new Bad("redis://h?timeout=soon", "option timeout"),
                new Bad("redis://h?verifyPeer=maybe", "verifyPeer='maybe'"),
                new Bad("redis://h?colour=blue", "unknown option 'colour'"),
                new Bad("redis://h?flag", "malformed option 'flag'"),
                new Bad("redis://h h:1", "malformed host 'h h:1'"))) {
            assertThatThrownBy(() -> RedisUrl.parse(bad.url())).as(bad.url())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.mentions());
        }
    }

    @Test
    void messagesNeverShowThePassword() {
        assertThatThrownBy(() -> RedisUrl.parse("redis://u:hunter2@h?colour=blue"))
                .hasMessageNotContaining("hunter2");
    }
}
