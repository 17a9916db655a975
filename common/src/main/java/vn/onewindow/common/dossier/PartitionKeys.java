package vn.onewindow.common.dossier;

/**
 * The keys of one intake partition. Every key starts with the partition's namespace, which carries its hash tag
 * ({@code <prefix>{<tag>}:}), so the enqueue script's keys (idempotency record, daily sequence, stream, receipt) and
 * the worker's keys (stream, dead letters) share one cluster slot. A standalone Redis with a single partition keeps
 * the namespace of earlier releases ({@code <prefix>}, no tag), so upgrading it renames nothing.
 */
public record PartitionKeys(int index, String namespace, String stream, String deadLetterStream) {

  static PartitionKeys of(int index, String namespace, String streamName, String deadLetterName) {
    return new PartitionKeys(index, namespace, namespace + "stream:" + streamName, namespace + "stream:" + deadLetterName);
  }

  /** The partition's record of an Idempotency-Key: hash of the body and the receipt it got. */
  public String idempotency(String clientId, String key) {
    return namespace + "idem:" + clientId + ":" + key;
  }

  /**
   * Stands in for {@link #idempotency} when a request has no Idempotency-Key: the script is told not to touch it, but
   * every key a script declares must be in the partition's slot.
   */
  public String noIdempotency() {
    return namespace + "idem:";
  }

  /** Daily dossier sequence of one receiving unit (Circular 01/2018: XXXX per unit per day). */
  public String sequence(String receivingUnit, String yymmdd) {
    return namespace + "seq:" + receivingUnit + ":" + yymmdd;
  }

  /**
   * The counters a seeding raised, each to the highest number PostgreSQL held (hash: sequence key, that number),
   * expiring with the counters: after a loss of Redis's data, the numbers up to it that PostgreSQL lacks were lost, not
   * queued (seed-sequences.lua; read by the look-up by code).
   */
  public String seededFloors() {
    return namespace + "seqfloor";
  }

  /**
   * The partition's epoch marker, without expiry: there from the first seeding of its daily sequences for as long as
   * Redis keeps its data. Without it the enqueue script numbers nothing (a Redis that lost its counters would count
   * from 1 again and repeat codes PostgreSQL holds): the gateway seeds them from PostgreSQL first (CodeSequences).
   */
  public String epoch() {
    return namespace + "epoch";
  }

  /**
   * The partition's seeding lease (string: who took it and when, expiring a moment after the seeding's bound): one
   * gateway of the hub seeds the partition's counters at a time; the others wait for its marker.
   */
  public String seedingLease() {
    return namespace + "seeding";
  }

  public String receipt(String dossierId) {
    return namespace + "receipt:" + dossierId;
  }

  /**
   * How many times the intake's sweep took each entry of the stream (hash: entry id, count). Reads are NOACK, so the
   * group keeps no pending list and no delivery counts: a swept entry's deliveries are 1 + its count here. A field is
   * deleted with its entry once the entry is written or dead-lettered.
   */
  public String attempts() {
    return namespace + "attempts";
  }

  /**
   * The partition's sweeper mark (string: the sweeping worker's name), set by the sweeper after each sweep round it
   * completed, with an expiry: gone once it has completed none for that long (on Redis's clock), and then the
   * partition's standby sweeps it too. In the partition's slot, so a sweep reads it in the batch it already sends.
   */
  public String sweeper() {
    return namespace + "sweeper";
  }

  /**
   * The workers reading this partition (sorted set: worker name, time of its latest read in ms). Redis 7.0's XINFO
   * CONSUMERS only ages a consumer by its last delivery, so an idle partition's reader would look dead.
   */
  public String readers() {
    return namespace + "readers";
  }

  /**
   * Written by every read of the partition when replicas must confirm ({@code redis.min-replicas-ack} &gt; 0), after
   * its XREADGROUP and before its WAIT (string: the reader's name, expiring). WAIT waits for the connection's own
   * latest write, and a blocked XREADGROUP served by the gateway's enqueue script is no write of the reader's: without
   * this one the WAIT asked about an older write and confirmed entries no replica had.
   */
  public String readFence() {
    return namespace + "read-fence";
  }
}
