package vn.onewindow.common.dossier;

import java.util.ArrayList;
import java.util.List;
import vn.onewindow.common.config.RedisConfig;
import vn.onewindow.common.config.StreamConfig;

/**
 * Every Redis key the hub touches, under one configured prefix: the keys of each intake partition
 * ({@link PartitionKeys}, one hash tag each) and the keys that live in their own slot, chosen by what they limit or
 * claim (an Idempotency-Key across partitions, an applicant's rate limit, a client's with the limits of its callers'
 * addresses, the intake's members).
 */
public final class RedisKeys {
  private final String prefix;
  private final String group;
  private final Partitions partitions;
  private final List<PartitionKeys> keys;

  private RedisKeys(String prefix, String group, Partitions partitions, List<PartitionKeys> keys) {
    this.prefix = prefix;
    this.group = group;
    this.partitions = partitions;
    this.keys = List.copyOf(keys);
  }

  public static RedisKeys of(RedisConfig redis, StreamConfig stream) {
    String p = redis.keyPrefix();
    Partitions partitions = new Partitions(stream.partitions());
    boolean legacy = !redis.cluster() && partitions.count() == 1;
    List<PartitionKeys> keys = new ArrayList<>(partitions.count());
    for (int i = 0; i < partitions.count(); i++) {
      String namespace = legacy ? p : p + "{" + partitions.tag(i) + "}:";
      keys.add(PartitionKeys.of(i, namespace, stream.name(), stream.deadLetterName()));
    }
    return new RedisKeys(p, stream.group(), partitions, keys);
  }

  public String prefix() {
    return prefix;
  }

  /** The consumer group of the intake workers, the same name on every partition's stream. */
  public String group() {
    return group;
  }

  public Partitions partitions() {
    return partitions;
  }

  public List<PartitionKeys> all() {
    return keys;
  }

  public PartitionKeys partition(int index) {
    return keys.get(index);
  }

  public PartitionKeys forUnit(String receivingUnit) {
    return keys.get(partitions.ofUnit(receivingUnit));
  }

  public PartitionKeys forDossier(String dossierId) {
    return keys.get(partitions.ofDossier(dossierId));
  }

  /** The stream of the only partition; for tools and tests of a single-partition hub. */
  public String stream() {
    return only().stream();
  }

  /** The dead-letter stream of the only partition; for tools and tests of a single-partition hub. */
  public String deadLetterStream() {
    return only().deadLetterStream();
  }

  /** Daily dossier sequence of one receiving unit, in that unit's partition. */
  public String sequence(String receivingUnit, String yymmdd) {
    return forUnit(receivingUnit).sequence(receivingUnit, yymmdd);
  }

  /** The queued receipt of a dossier, in the partition its id names. */
  public String receipt(String dossierId) {
    return forDossier(dossierId).receipt(dossierId);
  }

  /**
   * The write-once claim of an Idempotency-Key across partitions (body digest), in a slot of its own: the same key
   * with another body is refused before any partition is touched, whichever unit each body names.
   */
  public String keyClaim(String clientId, String key) {
    return prefix + "idg:{" + clientId + ":" + key + "}";
  }

  /** GCRA state of one applicant's rate limit; {@code applicantKey} is a hash, never the ID itself. */
  public String applicantLimit(String applicantKey) {
    return prefix + "rl:applicant:" + applicantKey;
  }

  /**
   * GCRA state of one client's rate limit of its writes (submissions, events, ratings; no hash tag: its whole name
   * picks its slot).
   */
  public String clientLimit(String clientId) {
    return prefix + "rl:client:" + clientId;
  }

  /**
   * GCRA state of one client's rate limit of its reads (GET, HEAD), a budget apart from its writes' so that polling
   * cannot starve its submissions. Its hash tag is the writes key's whole name, as the address keys' is: a publishable
   * key's read and its address's limit are decided by one script call, so they must lie in one slot.
   */
  public String clientReadLimit(String clientId) {
    return prefix + "rl:client-reads:{" + clientLimit(clientId) + "}";
  }

  /**
   * GCRA state of one caller address's limit on a client's publishable key; {@code addressKey} is a hash, never the
   * address itself. Its hash tag is the client key's whole name (neither a client id nor the prefix has a brace), so
   * it lies in the client key's slot (and its reads key's) and one script decides both, while the client key keeps its
   * name.
   */
  public String addressLimit(String clientId, String addressKey) {
    return prefix + "rl:address:{" + clientLimit(clientId) + "}:" + addressKey;
  }

  /** The live intake workers (sorted set: worker name, expiry of its last heartbeat). */
  public String members() {
    return prefix + "intake:" + group + ":members";
  }

  /**
   * The keys of an intake warm-up's private stream ({@code suffix}: random per process): a partition of its own that
   * no gateway writes to and no monitor reads, in one slot of its own (hash tag) so its stream, readers and dead
   * letters can be deleted with one command in cluster mode too.
   */
  public PartitionKeys warmup(String suffix) {
    return PartitionKeys.of(-1, prefix + "{warmup:" + suffix + "}:", "warmup", "warmup-dead");
  }

  private PartitionKeys only() {
    if (keys.size() != 1) {
      throw new IllegalStateException("stream.partitions=" + keys.size() + ": name a partition");
    }
    return keys.get(0);
  }
}
