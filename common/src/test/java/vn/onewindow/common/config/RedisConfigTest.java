package vn.onewindow.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisConfigTest {

  private static HubConfig config(Map<String, String> env) {
    return HubConfig.from(Settings.load(env));
  }

  @Test
  void shouldTakeTheClusterSeedsFromACommaSeparatedUrlAndMaskEveryPassword() {
    HubConfig c = config(Map.of("HUB_REDIS_MODE", "cluster",
        "HUB_REDIS_URL", "redis://:pw1@10.0.0.5:6379, redis://:pw2@10.0.0.6:6379", "HUB_STREAM_PARTITIONS", "32"));

    assertThat(c.redis().cluster()).isTrue();
    assertThat(c.redis().seeds()).isEqualTo(List.of("redis://:pw1@10.0.0.5:6379", "redis://:pw2@10.0.0.6:6379"));
    assertThat(c.stream().partitions()).isEqualTo(32);
    assertThat(c.redis().toString()).doesNotContain("pw1").doesNotContain("pw2");
  }

  @Test
  void shouldRefuseAClusterWithoutSeedsSeveralStandaloneServersAndBracesInThePrefix() {
    assertThatThrownBy(() -> config(Map.of("HUB_REDIS_MODE", "cluster")))
        .hasMessageContaining("redis.url").hasMessageContaining("seed nodes");
    assertThatThrownBy(() -> config(Map.of("HUB_REDIS_URL", "redis://a:6379,redis://b:6379")))
        .hasMessageContaining("redis.mode=cluster");
    assertThatThrownBy(() -> config(Map.of("HUB_REDIS_KEY_PREFIX", "hub:{x}:")))
        .hasMessageContaining("redis.key-prefix");
    assertThatThrownBy(() -> config(Map.of("HUB_STREAM_PARTITIONS", "0"))).hasMessageContaining("stream.partitions");
  }

  @Test
  void shouldKeepTheReplicaWaitInsideTheEnqueueTimeout() {
    assertThatThrownBy(() -> config(Map.of("HUB_REDIS_MIN_REPLICAS_ACK", "1", "HUB_REDIS_REPLICA_ACK_TIMEOUT_MS", "2000",
        "HUB_TIMEOUT_REDIS_ENQUEUE_MS", "2000")))
        .hasMessageContaining("redis.replica-ack-timeout-ms=2000").hasMessageContaining("timeout.redis-enqueue-ms=2000");
    assertThat(config(Map.of("HUB_REDIS_MIN_REPLICAS_ACK", "1")).redis().minReplicasAck()).isEqualTo(1);
    assertThatThrownBy(() -> config(Map.of("HUB_REDIS_POOL_SIZE", "2", "HUB_REDIS_CONNECTIONS", "4")))
        .hasMessageContaining("redis.connections");
  }
}
