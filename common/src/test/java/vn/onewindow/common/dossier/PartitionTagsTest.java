package vn.onewindow.common.dossier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PartitionTagsTest {

  @Test
  void shouldMatchTheRedisClusterSpecCheckValue() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertThat(PartitionTags.crc16(check, 0, check.length)).isEqualTo(0x31C3);
  }

  @Test
  void shouldHashOnlyTheFirstNonEmptyHashTag() {
    // the examples of the CLUSTER KEYSLOT page; ClusterClientSpikeTest compares more keys with a live cluster
    assertThat(PartitionTags.slot("somekey")).isEqualTo(11058);
    assertThat(PartitionTags.slot("foo{hash_tag}")).isEqualTo(2515);
    assertThat(PartitionTags.slot("{user1000}.following")).isEqualTo(PartitionTags.slot("user1000"));
    assertThat(PartitionTags.slot("foo{}{bar}")).isNotEqualTo(PartitionTags.slot("bar"));
    assertThat(PartitionTags.slot("foo{{bar}}zap")).isEqualTo(PartitionTags.slot("{bar"));
    assertThat(PartitionTags.slot("foo{bar}{zap}")).isEqualTo(PartitionTags.slot("bar"));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 8, 16, 32, 64, 100, 128, 256, 1024})
  void shouldSpreadTagsOverDistinctSlotsAndEvenlyOverThirds(int partitions) {
    List<String> tags = PartitionTags.tags(partitions);

    assertThat(tags).hasSize(partitions).doesNotHaveDuplicates();
    List<Integer> slots = tags.stream().map(PartitionTags::slot).toList();
    assertThat(slots).doesNotHaveDuplicates();
    int[] thirds = new int[3];
    slots.forEach(s -> thirds[s <= 5460 ? 0 : s <= 10922 ? 1 : 2]++);
    for (int count : thirds) {
      assertThat(count).isBetween(partitions / 3 - 1, partitions / 3 + 1);
    }
    assertThat(PartitionTags.tags(partitions)).isEqualTo(tags);
  }

  @Test
  void shouldGiveEachMasterOfTheDefaultSplitOneTagWhenThreePartitions() {
    List<Integer> slots = PartitionTags.tags(3).stream().map(PartitionTags::slot).toList();

    assertThat(slots.get(0)).isBetween(0, 5460);
    assertThat(slots.get(1)).isBetween(5461, 10922);
    assertThat(slots.get(2)).isBetween(10923, 16383);
  }

  @Test
  void shouldRejectPartitionCountsOutOfRange() {
    assertThatThrownBy(() -> PartitionTags.tags(0)).hasMessageContaining("was 0");
    assertThatThrownBy(() -> PartitionTags.tags(PartitionTags.MAX_PARTITIONS + 1))
        .hasMessageContaining("partitions must be 1..");
  }

  @Test
  void shouldPartitionRoutingKeysDeterministically() {
    assertThat(PartitionTags.partition("000.00.00.H01", 64)).isEqualTo(PartitionTags.partition("000.00.00.H01", 64))
        .isBetween(0, 63);
  }
}
