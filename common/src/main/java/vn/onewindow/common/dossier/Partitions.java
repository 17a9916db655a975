package vn.onewindow.common.dossier;

import java.util.List;
import java.util.UUID;

/**
 * The fixed partitions of the intake ({@code stream.partitions}): which partition a receiving unit's dossiers go to,
 * and the partition a dossier id names. Every key one submission touches lives in its unit's partition, so the
 * enqueue is one atomic script on one cluster slot, and a unit's daily counter stays exact.
 *
 * <p>A dossier id is a UUID of version 7 (RFC 9562) that names the dossier's stream entry (see
 * {@link #entryDossierId}): the entry's millisecond (Redis's clock at XADD) and, as the 12 bits after the version,
 * its sequence number within that millisecond; then 62 bits from SecureRandom (the gateway's pre-id,
 * {@link #newDossierId}), whose last 48 (the "node" field) are congruent to its partition modulo P. So a status
 * look-up goes from the id alone to the partition and to the entry, with no key of its own in Redis, and the id keeps
 * 62 - log2(P) random bits, far beyond guessing. Time first puts a new dossier's primary-key entry, and its
 * status-history row's, at the right end of their B-trees, where PostgreSQL inserts without descending the tree;
 * random (v4) ids scattered them over every leaf (pgbench of the intake's INSERT: 15 % less PostgreSQL CPU per
 * dossier, ops/bench/RUNS.md run AU). What the id tells, when it was queued and how many dossiers of the same
 * partition came before it in that millisecond, is close to the receipt's receivedAt (the gateway's clock), which
 * every holder of the id reads already. The pre-id itself is the dossier's id only where no entry names it: the
 * direct PostgreSQL path, and the enqueue script's fallback for a sequence beyond 12 bits.
 */
public final class Partitions {
  private static final long NODE_BITS = 0xFFFF_FFFF_FFFFL;
  private static final long MAX_MILLIS = 0xFFFF_FFFF_FFFFL;
  /** An entry's sequence number fits the 12 bits after the version while Redis's clock does not go back. */
  private static final long MAX_SEQUENCE = 0xFFFL;

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

  /** The partition a dossier id names (ids made by {@link #newDossierId}, and by {@link #entryDossierId} from them). */
  public int ofDossier(String dossierId) {
    long node = UUID.fromString(dossierId).getLeastSignificantBits() & NODE_BITS;
    return (int) (node % count);
  }

  /**
   * The id of the dossier queued as stream entry {@code entryId} ({@code <ms>-<seq>}) from the pre-id the gateway
   * sent with it ({@code rid}): the entry's 48-bit millisecond, version 7, the sequence as 12 bits, then the pre-id's
   * last 64 bits. The enqueue script derives it the same way (enqueue-dossier.lua; EnqueueScriptTest holds the two
   * together). Null when the entry cannot be named: a sequence beyond 4095 (the script then keeps the pre-id and
   * writes it into the entry) or arguments that are not an entry id and a UUID.
   */
  public static String entryDossierId(String rid, String entryId) {
    if (rid == null || rid.length() != 36 || entryId == null) {
      return null;
    }
    int dash = entryId.indexOf('-');
    long ms;
    long seq;
    try {
      ms = Long.parseLong(entryId, 0, Math.max(dash, 0), 10);
      seq = Long.parseLong(entryId, dash + 1, entryId.length(), 10);
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      return null;
    }
    if (ms < 0 || ms > MAX_MILLIS || seq < 0 || seq > MAX_SEQUENCE) {
      return null;
    }
    // zero-padded hex by a leading 1 bit cut off again: String.format parses its pattern on every call
    String time = Long.toHexString(ms | 1L << 48);
    return time.substring(1, 9) + "-" + time.substring(9) + "-7" + Long.toHexString(seq | 0x1000).substring(1)
        + rid.substring(18);
  }

  /**
   * Whether {@code dossierId} is the id of the dossier submitted with {@code preId}: the pre-id itself (the direct
   * path, the script's fallback) or the id its stream entry gave it ({@link #entryDossierId} keeps the pre-id's last 64
   * bits, 62 of them random: another submission's pre-id shares them once in 2^62).
   */
  public static boolean ofSubmission(String dossierId, String preId) {
    return dossierId.equalsIgnoreCase(preId) || dossierId.length() == 36 && preId.length() == 36
        && dossierId.regionMatches(true, 18, preId, 18, 18);
  }

  /**
   * The stream entry an id of {@link #entryDossierId} names; for other ids (pre-ids, ids of earlier releases) an
   * entry id that almost never exists, and whose entry, if one does, belongs to another dossier (the caller checks).
   */
  public static String entryIdOf(UUID dossierId) {
    long msb = dossierId.getMostSignificantBits();
    return (msb >>> 16) + "-" + (msb & MAX_SEQUENCE);
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
