package vn.onewindow.common.dossier;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis Cluster hash slots and a static table of hash tags for P stream partitions.
 *
 * <p>Partition {@code i} gets a tag whose slot lies in the middle half of the i-th of P equal-width ranges of the
 * 16384 slots, so the
 * tags sit in distinct slots in ascending order and any split of the slot space into equal contiguous ranges (the
 * split {@code redis-cli --cluster create} makes for N masters) holds P/N &plusmn; 1 of them. The table depends on
 * nothing but P: slot ownership may move later (reshard, rebalance) and the tags stay valid, only their spread
 * follows the owners. vertx-redis-client has a CRC16 ({@code io.vertx.redis.client.impl.ZModem}), but in an impl
 * package, so the 30 lines live here.
 */
public final class PartitionTags {
  public static final int SLOTS = 16384;
  /** Beyond this the slot ranges get so narrow that the search below degrades; no layout needs more. */
  public static final int MAX_PARTITIONS = 4096;

  private static final int[] TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int crc = i << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      TABLE[i] = crc & 0xFFFF;
    }
  }

  private PartitionTags() {
  }

  /** CRC16-CCITT (XMODEM: poly 0x1021, init 0, no reflection), as Redis Cluster specifies; "123456789" gives 0x31C3. */
  public static int crc16(byte[] bytes, int from, int to) {
    int crc = 0;
    for (int i = from; i < to; i++) {
      crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ bytes[i]) & 0xFF]) & 0xFFFF;
    }
    return crc;
  }

  /**
   * The cluster slot of a key: only the text between the first '{' and the next '}' is hashed when it is not empty
   * (same answer as {@code CLUSTER KEYSLOT}).
   */
  public static int slot(String key) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    int open = indexOf(bytes, (byte) '{', 0);
    if (open >= 0) {
      int close = indexOf(bytes, (byte) '}', open + 1);
      if (close > open + 1) {
        return crc16(bytes, open + 1, close) & (SLOTS - 1);
      }
    }
    return crc16(bytes, 0, bytes.length) & (SLOTS - 1);
  }

  /**
   * P hash tags (without braces), one per partition, deterministic: {@code "p<i>"} when that already falls in the
   * middle of partition i's slot range, else the first {@code "p<i>.<n>"} that does.
   */
  public static List<String> tags(int partitions) {
    if (partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new IllegalArgumentException("partitions must be 1.." + MAX_PARTITIONS + ", was " + partitions);
    }
    List<String> tags = new ArrayList<>(partitions);
    for (int i = 0; i < partitions; i++) {
      int start = (int) ((long) i * SLOTS / partitions);
      int end = (int) ((long) (i + 1) * SLOTS / partitions);
      // the middle half of the range, so rounding of range bounds (redis-cli gives 3 masters 0-5460, 5461-10922,
      // 10923-16383) cannot put a tag on the neighbour's side
      int from = start + (end - start) / 4;
      int to = end - (end - start) / 4;
      String tag = "p" + i;
      for (int n = 1; !inRange(slot(tag), from, to); n++) {
        tag = "p" + i + "." + n;
      }
      tags.add(tag);
    }
    return List.copyOf(tags);
  }

  /** Partition of a routing key (e.g. a receiving unit code): CRC16 of its UTF-8 bytes modulo P. */
  public static int partition(String routingKey, int partitions) {
    byte[] bytes = routingKey.getBytes(StandardCharsets.UTF_8);
    return crc16(bytes, 0, bytes.length) % partitions;
  }

  private static boolean inRange(int slot, int from, int to) {
    return slot >= from && slot < to;
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
