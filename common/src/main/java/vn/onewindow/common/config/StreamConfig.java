package vn.onewindow.common.config;

import vn.onewindow.common.dossier.PartitionTags;

/**
 * The stream between gateways and workers: {@code partitions} streams (one consumer group each), fixed for life: a
 * receiving unit's dossiers always go to the same partition, and its daily counter lives there.
 */
public record StreamConfig(String name, String group, String deadLetterName, int partitions) {

  public static StreamConfig from(Settings s) {
    StreamConfig c = new StreamConfig(s.nonBlank("stream.name"), s.nonBlank("stream.group"),
        s.nonBlank("stream.dead-letter-name"), s.intIn("stream.partitions", 1, PartitionTags.MAX_PARTITIONS));
    if (c.deadLetterName.equals(c.name)) {
      throw s.conflict("{} must differ from {}: the same key, every dead letter's copy would be queued again as a "
          + "dossier and dead-lettered again, for ever", "stream.dead-letter-name", "stream.name");
    }
    return c;
  }
}
