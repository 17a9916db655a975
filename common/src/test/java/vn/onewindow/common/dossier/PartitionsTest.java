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
  void shouldNameTheUnitsPartitionInTheDossierIdAndKeepItAUuidV7() {
    for (int count : new int[] {1, 3, 16, 64, 4096}) {
      Partitions partitions = new Partitions(count);
      Set<String> ids = new HashSet<>();
      int made = 0;
      for (int p = 0; p < count; p += Math.max(1, count / 16)) {
        for (int i = 0; i < 50; i++) {
          long before = System.currentTimeMillis();
          String id = partitions.newDossierId(p);
          UUID uuid = UUID.fromString(id);
          assertThat(uuid.version()).isEqualTo(7);
          assertThat(uuid.variant()).isEqualTo(2);
          assertThat(uuid.getMostSignificantBits() >>> 16).as("the millisecond it was made")
              .isBetween(before, System.currentTimeMillis());
          assertThat(partitions.ofDossier(id)).isEqualTo(p);
          ids.add(id);
          made++;
        }
      }
      assertThat(ids).as("distinct ids").hasSize(made);
    }
  }

  /**
   * Ids of later milliseconds sort after earlier ones as PostgreSQL orders uuid (bytes, unsigned, most significant
   * first), whatever their random bits and partitions: new rows go to the right end of the primary key's B-tree.
   */
  @Test
  void shouldSortIdsOfLaterMillisecondsAfterEarlierOnesAsPostgresOrdersUuids() {
    Partitions partitions = new Partitions(16);
    long now = System.currentTimeMillis();
    String previous = partitions.newDossierId(15, now);
    for (int i = 1; i <= 1000; i++) {
      String next = partitions.newDossierId(i % 16, now + i);
      // the canonical text of a uuid is its bytes in hex, most significant first: text order is byte order
      assertThat(next).isGreaterThan(previous);
      previous = next;
    }
  }

  /**
   * A dossier's id names its stream entry: the entry's millisecond and sequence in the id's first 64 bits (version 7
   * kept), the pre-id's last 64 bits unchanged, so it still names its partition and keeps their random bits.
   */
  @Test
  void shouldTellTheDossierOfASubmissionByItsPreId() {
    Partitions partitions = new Partitions(16);
    String preId = partitions.newDossierId(5);
    String named = Partitions.entryDossierId(preId, "1764912000000-7");

    assertThat(Partitions.ofSubmission(named, preId)).as("named by its entry").isTrue();
    assertThat(Partitions.ofSubmission(preId, preId)).as("the pre-id itself").isTrue();
    assertThat(Partitions.ofSubmission(named.toUpperCase(java.util.Locale.ROOT), preId)).isTrue();
    assertThat(Partitions.ofSubmission(named, partitions.newDossierId(5))).as("another submission's").isFalse();
    assertThat(Partitions.ofSubmission(Partitions.entryDossierId(partitions.newDossierId(5), "1764912000000-7"),
        preId)).as("another submission's, same entry time").isFalse();
  }

  @Test
  void shouldNameTheStreamEntryInTheDossierIdAndFindTheEntryFromIt() {
    Partitions partitions = new Partitions(16);
    String rid = partitions.newDossierId(11);

    String id = Partitions.entryDossierId(rid, "1764892800123-5");
    String last = Partitions.entryDossierId(rid, "281474976710655-4095");

    UUID uuid = UUID.fromString(id);
    assertThat(id).isEqualTo(String.format("%08x-%04x-7005", 1764892800123L >>> 16, 1764892800123L & 0xFFFF)
        + rid.substring(18));
    assertThat(uuid.version()).isEqualTo(7);
    assertThat(uuid.variant()).isEqualTo(2);
    assertThat(uuid.getLeastSignificantBits()).isEqualTo(UUID.fromString(rid).getLeastSignificantBits());
    assertThat(partitions.ofDossier(id)).isEqualTo(11);
    assertThat(Partitions.entryIdOf(uuid)).isEqualTo("1764892800123-5");
    assertThat(last).startsWith("ffffffff-ffff-7fff-");
    assertThat(Partitions.entryIdOf(UUID.fromString(last))).isEqualTo("281474976710655-4095");
  }

  /** A sequence beyond 12 bits (Redis's clock went back) cannot be named: the script keeps the pre-id then. */
  @Test
  void shouldNameNoIdForASequenceBeyondTwelveBitsOrAnEntryThatIsNotOne() {
    String rid = new Partitions(1).newDossierId(0);
    assertThat(Partitions.entryDossierId(rid, "1764892800123-4096")).isNull();
    assertThat(Partitions.entryDossierId(rid, "1764892800123")).isNull();
    assertThat(Partitions.entryDossierId(rid, "x-1")).isNull();
    assertThat(Partitions.entryDossierId(null, "1764892800123-1")).isNull();
    assertThat(Partitions.entryDossierId("short", "1764892800123-1")).isNull();
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
