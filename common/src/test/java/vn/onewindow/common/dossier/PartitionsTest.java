package vn.onewindow.common.dossier;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.RedisConfig;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.config.StreamConfig;
import java.util.Map;

class PartitionsTest {

  @Test
  void shouldNameTheUnitsPartitionInTheDossierIdAndKeepItARandomUuidV4() {
    for (int count : new int[] {1, 3, 16, 64, 4096}) {
      Partitions partitions = new Partitions(count);
      Set<String> ids = new HashSet<>();
      for (int p = 0; p < count; p += Math.max(1, count / 16)) {
        for (int i = 0; i < 50; i++) {
          String id = partitions.newDossierId(p);
          assertThat(UUID.fromString(id).version()).isEqualTo(4);
          assertThat(UUID.fromString(id).variant()).isEqualTo(2);
          assertThat(partitions.ofDossier(id)).isEqualTo(p);
          ids.add(id);
        }
      }
      assertThat(ids).as("random ids").hasSize(ids.size());
    }
  }

  @Test
  void shouldKeepTodaysKeyNamesForOneStandalonePartitionAndTagEveryPartitionOtherwise() {
    RedisKeys single = RedisKeys.of(RedisConfig.from(Settings.of(Map.of())), StreamConfig.from(Settings.of(Map.of())));
    assertThat(single.stream()).isEqualTo("hub:stream:dossiers");
    assertThat(single.sequence("000.00.53.H48", "261123")).isEqualTo("hub:seq:000.00.53.H48:261123");

    RedisKeys many = RedisKeys.of(RedisConfig.from(Settings.of(Map.of("redis.mode", "cluster",
        "redis.url", "redis://127.0.0.1:7001"))), StreamConfig.from(Settings.of(Map.of("stream.partitions", "16"))));
    String unit = "000.00.53.H48";
    PartitionKeys p = many.forUnit(unit);
    String id = many.partitions().newDossierId(p.index());
    int slot = PartitionTags.slot(p.stream());
    assertThat(PartitionTags.slot(p.sequence(unit, "261123"))).isEqualTo(slot);
    assertThat(PartitionTags.slot(p.idempotency("portal-web", "key-1"))).isEqualTo(slot);
    assertThat(PartitionTags.slot(p.noIdempotency())).isEqualTo(slot);
    assertThat(PartitionTags.slot(many.receipt(id))).isEqualTo(slot);
    assertThat(PartitionTags.slot(p.deadLetterStream())).isEqualTo(slot);
    assertThat(PartitionTags.slot(many.keyClaim("portal-web", "key-1")))
        .isEqualTo(PartitionTags.slot("{portal-web:key-1}"));
  }
}
