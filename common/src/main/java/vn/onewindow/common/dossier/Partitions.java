package vn.onewindow.common.dossier;

import java.util.List;
import java.util.UUID;

/**
 * The fixed partitions of the intake ({@code stream.partitions}): which partition a receiving unit's dossiers go to,
 * and the partition a dossier id names. Every key one submission touches lives in its unit's partition, so the
 * enqueue is one atomic script on one cluster slot, and a unit's daily counter stays exact.
 *
 * <p>A dossier id is a random UUID v4 whose last 48 bits (the "node" field) are congruent to its partition modulo
 * P: a status look-up finds the queued receipt from the id alone, and the id keeps 122 - log2(P) random bits.
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

  /** A fresh random dossier id naming {@code partition}. */
  public String newDossierId(int partition) {
    UUID random = UUID.randomUUID();
    long lsb = random.getLeastSignificantBits();
    long node = lsb & NODE_BITS;
    long adjusted = node - node % count + partition;
    if (adjusted > NODE_BITS) {
      adjusted -= count;
    }
    return new UUID(random.getMostSignificantBits(), (lsb & ~NODE_BITS) | adjusted).toString();
  }
}
