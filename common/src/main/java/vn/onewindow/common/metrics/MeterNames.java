package vn.onewindow.common.metrics;

/**
 * Every meter the hub registers, in one place. Names are lowercase dot notation (Prometheus renders
 * {@code hub.submissions} as {@code hub_submissions_total}); tags take values only from the bounded sets below,
 * never a path, a dossier id or citizen data.
 */
public final class MeterNames {
  private MeterNames() {
  }

  /** Counter of POST /v1/dossiers by {@link #TAG_OUTCOME} and {@link #TAG_CHANNEL}. */
  public static final String SUBMISSIONS = "hub.submissions";
  /** Timer of the Redis enqueue script (sequence + stream + receipt in one call). */
  public static final String ENQUEUE_LATENCY = "hub.enqueue.latency";
  /** Counter of dossiers written to PostgreSQL by the intake workers. */
  public static final String PERSISTED = "hub.intake.persisted";
  /** Distribution of entries per batch written. */
  public static final String BATCH_SIZE = "hub.intake.batch.size";
  /** Timer of one batch write (one round trip). */
  public static final String BATCH_WRITE_LATENCY = "hub.intake.batch.write.latency";
  /** Timer from the 202 (receivedAt) to the commit in PostgreSQL. */
  public static final String END_TO_END_LATENCY = "hub.intake.end.to.end.latency";
  /** Counter of entries moved to the dead letters, by {@link #TAG_REASON}. */
  public static final String DEAD_LETTERS = "hub.intake.dead.letters";
  /** Counter of pending entries claimed from another (crashed or stuck) consumer. */
  public static final String CLAIMED = "hub.intake.claimed";
  /** Counter of rounds that failed on an unreachable upstream, by {@link #TAG_UPSTREAM}. */
  public static final String INTAKE_FAILURES = "hub.intake.failures";

  public static final String TAG_OUTCOME = "outcome";
  public static final String TAG_CHANNEL = "channel";
  public static final String TAG_REASON = "reason";
  public static final String TAG_UPSTREAM = "upstream";

  /** Values of {@link #TAG_OUTCOME} for submissions. */
  public enum Outcome {
    ACCEPTED, DUPLICATE, INVALID, CONFLICT, TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, MALFORMED, UPSTREAM_ERROR;

    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
