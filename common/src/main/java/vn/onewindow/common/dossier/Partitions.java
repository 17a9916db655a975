package vn.onewindow.common.dossier;

import java.util.List;
import java.util.UUID;

/**
 * The fixed partitions of the intake ({@code stream.partitions}): which partition a receiving unit's dossiers go to,
 * and the partition a dossier id names. Every key one submission touches lives in its unit's partition, so the
 * enqueue is one atomic script on one cluster slot, and a unit's daily counter stays exact.
 *
 * <p>A dossier id is a UUID of version 7 (RFC 9562): the millisecond it was made, then 74 random bits from
 * SecureRandom, whose last 48 (the "node" field) are congruent to its partition modulo P: a status look-up finds the
 * queued receipt from the id alone, and the id keeps 74 - log2(P) random bits, far beyond guessing. Time first puts a
 * new dossier's primary-key entry, and its status-history row's, at the right end of their B-trees, where PostgreSQL
 * inserts without descending the tree; random (v4) ids scattered them over every leaf (pgbench of the intake's
 * INSERT: 15 % less PostgreSQL CPU per dossier, ops/bench/RUNS.md run AU). What the id tells, when it was made, its
 * holders read in the receipt's receivedAt already.
 */
public final class Partitions {
  private static final long NODE_BITS = 0xFFFF_FFFF_FFFFL;

  private final int count;
  private final List<String> tags;

  public Partitions(int count) {
    this.count = count;
    this.tags = PartitionTags.tags(count);
  }

  public int count() {
    return count;
  }

  /** The hash tag of partition {@code index}, without braces (chosen by slot, see {@link PartitionTags#tags}). */
  public String tag(int index) {
    return tags.get(index);
  }

  /** The partition of a receiving unit: CRC16 of its code modulo P, fixed for life. */
  public int ofUnit(String receivingUnit) {
    return PartitionTags.partition(receivingUnit, count);
  }

  /** The partition a dossier id names (ids made by {@link #newDossierId}). */
  public int ofDossier(String dossierId) {
    long node = UUID.fromString(dossierId).getLeastSignificantBits() & NODE_BITS;
    return (int) (node % count);
  }

  /** A fresh dossier id naming {@code partition}, made now. */
  public String newDossierId(int partition) {
    return newDossierId(partition, System.currentTimeMillis());
  }

  /** A fresh dossier id naming {@code partition}, made at {@code epochMillis} (48 bits: until the year 10889). */
  String newDossierId(int partition, long epochMillis) {
    UUID random = UUID.randomUUID();
    // version 7: the millisecond, the version nibble, 12 random bits; the variant bits come with random's lsb
    long msb = epochMillis << 16 | 0x7000L | random.getMostSignificantBits() & 0x0FFFL;
    long lsb = random.getLeastSignificantBits();
    long node = lsb & NODE_BITS;
    long adjusted = node - node % count + partition;
    if (adjusted > NODE_BITS) {
      adjusted -= count;
    }
    return new UUID(msb, (lsb & ~NODE_BITS) | adjusted).toString();
  }
}
