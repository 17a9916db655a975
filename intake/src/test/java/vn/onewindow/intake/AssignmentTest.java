package vn.onewindow.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AssignmentTest {

  private static List<Set<Integer>> shares(List<String> workers, int partitions) {
    List<Set<Integer>> shares = new ArrayList<>();
    workers.forEach(w -> shares.add(Assignment.partitionsOf(w, workers, partitions)));
    return shares;
  }

  @Test
  void shouldGiveEveryPartitionToExactlyOneWorkerInEvenShares() {
    List<String> workers = List.of("b-2", "a-1", "c-3");
    List<Set<Integer>> shares = shares(workers, 16);
    Set<Integer> all = new HashSet<>();
    int total = 0;
    for (Set<Integer> share : shares) {
      assertThat(share.size()).isBetween(5, 6);
      all.addAll(share);
      total += share.size();
    }
    assertThat(all).hasSize(16);
    assertThat(total).isEqualTo(16);
  }

  @Test
  void shouldLetSeveralWorkersShareAPartitionWhenThereAreMoreWorkersThanPartitions() {
    assertThat(shares(List.of("w1", "w2"), 1)).containsExactly(Set.of(0), Set.of(0));
    assertThat(shares(List.of("w1", "w2", "w3"), 2)).containsExactly(Set.of(0), Set.of(1), Set.of(0));
  }

  @Test
  void shouldTakeOverTheShareOfAWorkerThatLeftAndGiveAShareToOneThatJoins() {
    List<String> three = List.of("w1", "w2", "w3");
    List<String> two = List.of("w1", "w3");
    Set<Integer> covered = new HashSet<>();
    shares(two, 8).forEach(covered::addAll);
    assertThat(covered).hasSize(8);
    assertThat(Assignment.partitionsOf("w2", three, 8)).isNotEmpty();
    assertThat(Assignment.partitionsOf("w2", two, 8)).isEmpty();
  }

  @Test
  void shouldLetExactlyOneReaderSweepEachPartition() {
    List<String> five = List.of("w1", "w2", "w3", "w4", "w5");
    List<Set<Integer>> sweeps = new ArrayList<>();
    five.forEach(w -> sweeps.add(Assignment.sweepsOf(w, five, 2)));
    assertThat(sweeps).containsExactly(Set.of(0), Set.of(1), Set.of(), Set.of(), Set.of());
    for (String w : five) {
      assertThat(Assignment.partitionsOf(w, five, 2)).containsAll(Assignment.sweepsOf(w, five, 2));
    }
    List<String> three = List.of("w1", "w2", "w3");
    for (String w : three) {
      assertThat(Assignment.sweepsOf(w, three, 8)).isEqualTo(Assignment.partitionsOf(w, three, 8));
    }
    assertThat(Assignment.sweepsOf("w9", three, 8)).isEmpty();
  }

  @Test
  void shouldGiveEveryPartitionOneStandbyOtherThanItsSweeperPreferringAnotherReader() {
    for (int workers = 1; workers <= 7; workers++) {
      for (int partitions = 1; partitions <= 6; partitions++) {
        List<String> live = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
          live.add("w" + w);
        }
        for (int p = 0; p < partitions; p++) {
          List<String> standbys = new ArrayList<>();
          String sweeper = null;
          for (String w : live) {
            if (Assignment.standbysOf(w, live, partitions).contains(p)) {
              standbys.add(w);
            }
            if (Assignment.sweepsOf(w, live, partitions).contains(p)) {
              sweeper = w;
            }
          }
          assertThat(standbys).as("standbys of %d with %d workers", p, workers).hasSize(workers == 1 ? 0 : 1);
          assertThat(standbys).doesNotContain(sweeper);
        }
      }
    }
    // more workers than partitions: another reader of the partition stands by
    List<String> five = List.of("w1", "w2", "w3", "w4", "w5");
    assertThat(Assignment.standbysOf("w3", five, 2)).containsExactly(0);
    assertThat(Assignment.standbysOf("w4", five, 2)).containsExactly(1);
    assertThat(Assignment.partitionsOf("w3", five, 2)).containsExactly(0);
    // fewer: the next worker, which then sweeps a partition it does not read
    List<String> two = List.of("w1", "w2");
    assertThat(Assignment.of("w2", two, 4)).isEqualTo(new Assignment.Share(Set.of(1, 3), Set.of(1, 3), Set.of(0, 2)));
    assertThat(Assignment.of("w2", two, 4).consumed()).containsExactly(0, 1, 2, 3);
    assertThat(Assignment.of("w2", two, 4).sweepRole(0)).isEqualTo(SweepLoop.Role.STANDBY);
    assertThat(Assignment.of("w2", two, 4).sweepRole(1)).isEqualTo(SweepLoop.Role.SWEEPER);
  }
}
