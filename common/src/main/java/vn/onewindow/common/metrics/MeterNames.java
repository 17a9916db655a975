package vn.onewindow.common.metrics;

import java.util.Locale;

/**
 * Every meter the hub registers, in one place. Names are lowercase dot notation (Prometheus renders
 * {@code hub.submissions} as {@code hub_submissions_total}); tags take values only from the bounded enums below,
 * never a path, a dossier id or citizen data. Dashboards and alert rules in ops/ are written against these names.
 */
public final class MeterNames {
  private MeterNames() {
  }

  // --- gateway -----------------------------------------------------------------------------------------------
  /** Counter of POST /v1/dossiers by {@link #TAG_OUTCOME} ({@link Outcome}) and {@link #TAG_CHANNEL}. */
  public static final String SUBMISSIONS = "hub.submissions";
  /**
   * Counter of new dossiers written straight to PostgreSQL (the degraded direct path, outcome degraded on
   * {@link #SUBMISSIONS}) by {@link #TAG_REASON} ({@link DirectReason}): Redis down, or Redis's memory full.
   */
  public static final String SUBMISSIONS_DIRECT = "hub.submissions.direct";
  /** Timer of the Redis enqueue script (sequence + stream + receipt in one call). */
  public static final String ENQUEUE_LATENCY = "hub.enqueue.latency";
  /**
   * Summary of the dossiers one enqueue script call carried (the group commit: about 1 on an idle gateway); the
   * warm-up's read-only calls before readiness are counted too.
   */
  public static final String ENQUEUE_BATCH = "hub.enqueue.batch";
  /** Timer of a whole accepted submission, request in to 202 out. */
  public static final String SUBMIT_LATENCY = "hub.submit.latency";
  /** Gauge of submissions being processed right now (the bulkhead's occupancy). */
  public static final String IN_FLIGHT = "hub.submit.in.flight";
  /**
   * Counter of rate-limit decisions by {@link #TAG_LIMIT} ({@link LimitKey}) and {@link #TAG_DECISION}
   * ({@link LimitDecisionTag}).
   */
  public static final String RATE_LIMIT_DECISIONS = "hub.ratelimit.decisions";
  /** Gauge, 1 while this instance decides limits locally because the shared store (Redis) is unhealthy. */
  public static final String RATE_LIMIT_FALLBACK = "hub.ratelimit.fallback.active";
  /** Counter of requests refused before any work, by {@link #TAG_REASON} ({@link Refusal}). */
  public static final String REFUSALS = "hub.refusals";
  /** Timer of event-loop scheduling delay (a timer's actual minus expected firing): a blocked or saturated loop. */
  public static final String EVENT_LOOP_LAG = "hub.eventloop.lag";
  /** Gauge, 1 while the process drains for shutdown (readiness is DOWN): gateways and intake processes alike. */
  public static final String DRAINING = "hub.draining";
  /**
   * Gauge, 1 while this process would answer /health/ready 200, else 0: every role, decided by the readiness checks
   * themselves at each scrape (HealthHandler). A process that Prometheus scrapes ({@code up} 1) but a load balancer
   * routes nothing to is otherwise invisible: its ratio alerts see no requests (a 5.7-minute Redis freeze paged
   * no one).
   */
  public static final String READY = "hub.ready";
  /**
   * Gauge by {@link #TAG_REASON} ({@link ReadinessCheck}): 1 for each check that makes /health/ready answer 503 now
   * (the checks its answer names DOWN), 0 for the others and for all of them while the process is ready.
   */
  public static final String UNREADY_REASON = "hub.unready.reason";
  /**
   * Gauge of the days from today (agency zone) to the last day of the loaded official calendar (negative after it).
   * Due dates, and so submissions, fail before it reaches 0: load the next year's file well ahead.
   */
  public static final String CALENDAR_DAYS_LEFT = "hub.calendar.days.left";

  // --- listeners (each listener's connections, below HTTP: ListenerGuards) ------------------------------------
  /** Gauge of the client connections open on the process's listeners. */
  public static final String CONNECTIONS_OPEN = "hub.connections.open";
  /** Gauge of each listener's bound on its open connections (security.max-connections, or derived). */
  public static final String CONNECTIONS_LIMIT = "hub.connections.limit";
  /**
   * Counter of client connections the listeners closed by themselves, by {@link #TAG_REASON}
   * ({@link ConnectionClosure}).
   */
  public static final String CONNECTIONS_CLOSED = "hub.connections.closed";

  // --- stream backlog (gauges, refreshed every few seconds by whichever role runs) -----------------------------
  /** Entries in the dossier stream (queued, not yet deleted after persistence). */
  public static final String STREAM_LENGTH = "hub.stream.length";
  /** Entries delivered to a worker and not yet written (length - lag: workers read with NOACK, no pending list). */
  public static final String STREAM_PENDING = "hub.stream.pending";
  /** Entries not yet delivered to any worker (consumer group lag). */
  public static final String STREAM_LAG = "hub.stream.lag";
  /** Age in seconds of the oldest entry still in the stream: how far behind the workers are. */
  public static final String STREAM_OLDEST_AGE = "hub.stream.oldest.age.seconds";
  /**
   * Seconds since the backlog and memory figures were last read from Redis in full: while Redis (or, in cluster mode,
   * one of its masters) does not answer they keep their last values, for shedding and on every dashboard, and only
   * this grows. Counted from the process's start before a first sample.
   */
  public static final String STREAM_SAMPLE_AGE = "hub.stream.sample.age.seconds";
  /** Entries in the dead-letter stream. */
  public static final String DEAD_LETTER_LENGTH = "hub.stream.dead.letters";
  // the same per intake partition, {@link #TAG_PARTITION} = its index (bounded by stream.partitions)
  /** Entries in one partition's stream. */
  public static final String PARTITION_LENGTH = "hub.stream.partition.length";
  /** Entries of one partition delivered to a worker and not yet written. */
  public static final String PARTITION_PENDING = "hub.stream.partition.pending";
  /** Entries of one partition not yet delivered to any worker. */
  public static final String PARTITION_LAG = "hub.stream.partition.lag";
  /** Age in seconds of the oldest entry in one partition's stream. */
  public static final String PARTITION_OLDEST_AGE = "hub.stream.partition.oldest.age.seconds";
  /** Workers that read one partition recently (its consumer group's consumers seen within block + read margin). */
  public static final String PARTITION_CONSUMERS = "hub.stream.partition.consumers";
  /**
   * Memory Redis uses (INFO used_memory) on its fullest master (the highest used / maxmemory): submissions are shed
   * at shed.redis-memory-max-ratio of {@link #REDIS_MEMORY_MAX}.
   */
  public static final String REDIS_MEMORY_USED = "hub.redis.memory.used.bytes";
  /** That master's maxmemory; 0 when it has no limit (no memory shedding then). */
  public static final String REDIS_MEMORY_MAX = "hub.redis.memory.max.bytes";
  /**
   * Redis masters with no connected replica (INFO replication's connected_slaves:0), e.g. the one a failover promoted
   * until the failed node rejoins as its replica: a second failure there loses acknowledged entries
   * (redis.min-replicas-ack 0) or refuses every submission to it. Registered only where replicas are expected (cluster
   * mode, or redis.min-replicas-ack &gt; 0); a master that did not answer keeps the last sample's count.
   */
  public static final String REDIS_MASTERS_WITHOUT_REPLICA = "hub.redis.masters.without.replica";
  /**
   * 1 while a Redis master's maxmemory-policy evicts keys (anything but noeviction), 0 otherwise: at its maxmemory it
   * may then drop queued dossiers, the daily code counters and Idempotency-Key records. The start refuses such a Redis;
   * this tells of one that became so while the hub runs (CONFIG SET, a failover). A master that did not answer keeps
   * the last sample's value.
   */
  public static final String REDIS_EVICTING = "hub.redis.evicting";

  // --- intake --------------------------------------------------------------------------------------------------
  /**
   * Counter of dossiers an intake process's statements inserted into PostgreSQL, each counted once by the statement
   * that inserted it: when its result arrives, also after intake.statement-timeout-ms gave up on it (a late commit);
   * a redelivery found already written is not counted. Summed over processes, every dossier the intake wrote, but for
   * a statement whose result never reached its process (killed, or its connection lost, after the commit).
   */
  public static final String PERSISTED = "hub.intake.persisted";
  /** Distribution of entries per batch written. */
  public static final String BATCH_SIZE = "hub.intake.batch.size";
  /** Timer of one batch write (one round trip). */
  public static final String BATCH_WRITE_LATENCY = "hub.intake.batch.write.latency";
  /** Timer from the 202 (receivedAt) to the commit in PostgreSQL. */
  public static final String END_TO_END_LATENCY = "hub.intake.end.to.end.latency";
  /** Counter of entries moved to the dead letters, by {@link #TAG_REASON} ({@link DeadLetterReason}). */
  public static final String DEAD_LETTERS = "hub.intake.dead.letters";
  /**
   * Counter of entries taken again by a sweep: delivered at least intake.claim-idle-ms ago and still not written (a
   * crashed or stuck worker's, a failed batch, a read held back for want of replicas). The name is the claim loop's.
   */
  public static final String CLAIMED = "hub.intake.claimed";
  /**
   * Counter of read or sweep rounds held back because Redis replicas had not confirmed the entries
   * (redis.min-replicas-ack).
   */
  public static final String UNREPLICATED_READS = "hub.intake.unreplicated.reads";
  /** Counter of rounds that failed on an unreachable upstream, by {@link #TAG_UPSTREAM} ({@link Upstream}). */
  public static final String INTAKE_FAILURES = "hub.intake.failures";
  /**
   * Counter of seedings of a partition's daily dossier counters from PostgreSQL (the gateway's PartitionSeeder), by
   * {@link #TAG_OUTCOME} ({@link Seeding}): one happens only when Redis lost its data, or on a fresh install.
   */
  public static final String CODE_SEEDINGS = "hub.code.seedings";

  // --- agency side (progress events, feeds) ------------------------------------------------------------------
  /** Counter of progress events (POST /v1/dossiers/{id}/events) by {@link #TAG_OUTCOME} and {@link #TAG_STATUS}. */
  public static final String AGENCY_EVENTS = "hub.agency.events";
  /** Timer of a progress event recorded (201), request in to answer out. */
  public static final String AGENCY_EVENT_LATENCY = "hub.agency.event.latency";
  /** Timer of one feed page read and served to a GET (a HEAD's is not), by {@link #TAG_FEED} ({@link Feed}). */
  public static final String FEED_READ_LATENCY = "hub.feed.read.latency";
  /** Counter of feed items served, by {@link #TAG_FEED} ({@link Feed}): a GET's, never a HEAD's. */
  public static final String FEED_ITEMS = "hub.feed.items";
  /**
   * Counter of feed reads refused because their cursor lies past every transaction the database has issued, by
   * {@link #TAG_FEED} ({@link Feed}): the database went back in time (a point-in-time restore, a failover to an
   * asynchronous replica), or a reader's cursor came from another database.
   */
  public static final String FEED_CURSORS_AHEAD = "hub.feed.cursors.ahead";

  // --- timeliness (refreshed every stats.province-refresh-ms by the gateways that have it on) ---------------------
  /**
   * Gauge by {@link #TAG_PROVINCE}: of the dossiers processed in the last 30 calendar days up to today, the share
   * before or on their appointment date (the ranking by province's {@code processed.shares.beforeDeadlineOrOnTime}).
   */
  public static final String TIMELINESS_ON_TIME_SHARE = "hub.timeliness.on.time.share";
  /**
   * Gauge by {@link #TAG_PROVINCE}: of the dossiers processed in the last 30 calendar days up to today, the share after
   * their appointment date (the ranking by province's {@code processed.shares.overdue}).
   */
  public static final String TIMELINESS_OVERDUE_SHARE = "hub.timeliness.overdue.share";

  // Circuit breakers and bulkheads are exported by Resilience4j's Micrometer binders under their own names
  // (resilience4j.circuitbreaker.state, resilience4j.circuitbreaker.calls, ...) with name = an Upstream tag.

  public static final String TAG_OUTCOME = "outcome";
  public static final String TAG_CHANNEL = "channel";
  public static final String TAG_REASON = "reason";
  public static final String TAG_UPSTREAM = "upstream";
  public static final String TAG_LIMIT = "limit";
  public static final String TAG_DECISION = "decision";
  public static final String TAG_STATUS = "status";
  public static final String TAG_FEED = "feed";
  /** A province's code (H48...) from the agency directory, or "other": a bounded set, never an agency. */
  public static final String TAG_PROVINCE = "province";
  public static final String TAG_PARTITION = "partition";
  /** Of Vert.x's HTTP server request meters: client, warmup or probe ({@link RequestOrigins}). */
  public static final String TAG_ORIGIN = "origin";

  /** Values of {@link #TAG_OUTCOME} for submissions. */
  public enum Outcome {
    ACCEPTED, DUPLICATE, DEGRADED, INVALID, CONFLICT, TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, MALFORMED, UNAUTHORIZED,
    RATE_LIMITED, SHED, BREAKER_OPEN, UPSTREAM_ERROR, UNCONFIRMED;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Values of {@link #TAG_REASON} on {@link #CONNECTIONS_CLOSED}. OVER_LIMIT_ANSWERED: accepted past the listener's
   * bound and answered a fixed 503 overloaded, unread (plain HTTP); OVER_LIMIT: accepted past it and reset, unread (TLS,
   * or past the few connections being answered so); HTTP2_NO_REQUEST: an HTTP/2 connection that opened no stream for
   * the idle timeout (a trickled header block, a trickled first SETTINGS, PINGs alone).
   */
  public enum ConnectionClosure {
    OVER_LIMIT_ANSWERED, OVER_LIMIT, HTTP2_NO_REQUEST;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Values of {@link #TAG_REASON} on {@link #UNREADY_REASON}: the checks /health/ready answers with. DRAINING and
   * WARMING_UP hold readiness DOWN by themselves (the stores are not asked meanwhile); REDIS and POSTGRES are the
   * stores.
   */
  public enum ReadinessCheck {
    DRAINING, WARMING_UP, REDIS, POSTGRES;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The check's id in the /health/ready answer ({@code warming-up}: the answer's spelling predates the meter). */
    public String id() {
      return tag().replace('_', '-');
    }
  }

  /** Values of {@link #TAG_UPSTREAM}: also the names of the circuit breakers. */
  public enum Upstream {
    REDIS_ENQUEUE, REDIS_LIMITER, POSTGRES_WRITE, POSTGRES_READ, POSTGRES_EVENTS, REDIS, POSTGRES;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Values of {@link #TAG_REASON} on {@link #DEAD_LETTERS}. */
  public enum DeadLetterReason {
    MALFORMED, REJECTED, MAX_DELIVERIES;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Values of {@link #TAG_REASON} on {@link #REFUSALS}. RATE_LIMITED: every 429, the client's limit and the
   * applicant's alike ({@link #RATE_LIMIT_DECISIONS} tells which key); BACKLOG: the stream is over its watermark
   * (workers behind); REDIS_MEMORY: Redis is near its maxmemory (records and queued entries, whatever the backlog).
   */
  public enum Refusal {
    RATE_LIMITED, BACKLOG, REDIS_MEMORY, CONCURRENCY, DRAINING;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Values of {@link #TAG_REASON} on {@link #SUBMISSIONS_DIRECT}. REDIS_DOWN: Redis could not take the dossier
   * (down, slow, its breaker open); REDIS_MEMORY: Redis is over shed.redis-memory-max-ratio of its maxmemory, or
   * refused the enqueue for memory (OOM).
   */
  public enum DirectReason {
    REDIS_DOWN, REDIS_MEMORY;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Values of {@link #TAG_OUTCOME} on {@link #CODE_SEEDINGS}: counters raised to codes PostgreSQL held (Redis had lost
   * them), none raised (a fresh install, or another gateway seeded first), or PostgreSQL could not be asked (503s).
   */
  public enum Seeding {
    /** ELSEWHERE: another gateway held the partition's seeding lease and seeded it; this one waited for its marker. */
    RAISED, NONE, FAILED, ELSEWHERE;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Values of {@link #TAG_LIMIT}: which key a rate limit was counted against. CLIENT: a client's writes (submissions
   * above all); CLIENT_READS: its reads, a budget of their own. ADDRESS: one caller address on a client's publishable
   * key (the address itself is never a label).
   */
  public enum LimitKey {
    CLIENT, CLIENT_READS, APPLICANT, ADDRESS;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Values of {@link #TAG_DECISION} on {@link #RATE_LIMIT_DECISIONS}. ADDRESS_UNKNOWN, with {@link LimitKey#ADDRESS}
   * only: a publishable key's call whose address tells no caller apart (a non-public peer that is no trusted proxy: a
   * balancer, a proxy, a local run), so no per-address limit applied, only its client's.
   */
  public enum LimitDecisionTag {
    ALLOWED, LIMITED, ADDRESS_UNKNOWN;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Values of {@link #TAG_OUTCOME} on {@link #AGENCY_EVENTS}. */
  public enum EventOutcome {
    CREATED, REPLAYED, INVALID, ILLEGAL_TRANSITION, OUT_OF_ORDER, NOT_FOUND, EVENT_ID_REUSED, FAILED;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Values of {@link #TAG_FEED}. */
  public enum Feed {
    /** GET /v1/agencies/{agencyCode}/dossiers. */
    AGENCY,
    /** GET /v1/changes. */
    CHANGES;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Values of {@link #TAG_STATUS}: a national status code 1-10, or {@code unknown} when the event named none that
   * could be read. Never anything a client typed.
   */
  public static String statusTag(Integer code) {
    return code != null && code >= 1 && code <= 10 ? Integer.toString(code) : "unknown";
  }
}
