package vn.onewindow.gateway.status;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import vn.onewindow.common.dossier.Channel;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.Partitions;
import vn.onewindow.common.dossier.QueuedReceipt;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.RedisReplies;
import vn.onewindow.common.infra.RedisScript;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.gateway.admission.UpstreamBreakers;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.security.Owners;

/**
 * Where a dossier stands: PostgreSQL once the intake worker has written it (the read pool: a replica when
 * {@code postgres.read-url} is set), otherwise its stream entry queued in Redis (read-your-writes right after the
 * 202), which the dossier's id names (Partitions#entryIdOf), or a queued receipt names (written by earlier releases
 * and the enqueue script's fallback). When one store is down the other still answers (a held dossier's dead letter
 * too, with Redis down). The intake deletes the entry
 * (and a receipt) once the row is committed, so a look-up that finds neither asks PostgreSQL again: the row may have
 * been committed between the two reads. That second read, and the dead letter's, go to the primary: a replica lagging
 * behind the commit has neither the row nor the entry, and its 404 told a citizen holding a 202 that the dossier does
 * not exist (an ops tryout: 2 of 60 look-ups right after their 202 with the replica streaming normally). A code the
 * replica does not hold is asked of the primary too. It deletes the entry too when it could not write the dossier, after its dead letter is committed: then the
 * dead letter answers, the dossier held for review (its 202 said it was received; a 404 would say it does not exist).
 */
public final class DossierStatusReader {
  /**
   * Times as epoch microseconds (PostgreSQL's precision), turned into ISO instants by {@link DossierViews}. The
   * history in the order it was recorded (seq), not by changed_at: the event store takes an event timed in the
   * second of the previous one (an agency reporting whole seconds), so a changed_at may lie up to 999 ms before its
   * predecessor's, the reception's included; events of one dossier are recorded one at a time (FOR UPDATE), so seq
   * is their order.
   */
  private static final String VIEW = """
      SELECT d.id::text, d.code, d.procedure_code, d.receiving_unit, d.handling_agency, d.channel, d.status,
             d.received_at, d.persisted_at, d.client_id, d.due_date, d.status_changed_at, d.accepted_at,
             d.processed_at, d.returned_at, d.expected_result_by,
             COALESCE(encode(sha256(convert_to(d.payload->'applicant'->>'citizenId', 'UTF8')), 'hex'), '')
               AS applicant_hash,
             COALESCE((SELECT json_agg(json_build_object('status', h.status,
                                       'at', (extract(epoch FROM h.changed_at) * 1000000)::bigint,
                                       'note', h.note, 'dueDate', h.due_date, 'dueDateSet', e.due_date,
                                       'previousDueDate', e.previous_due_date, 'result', e.result)
                                       ORDER BY h.seq)
                       FROM dossier_status_history h LEFT JOIN dossier_event e ON e.seq = h.event_seq
                       WHERE h.dossier_id = d.id), '[]'::json) AS history
      FROM dossier d""";
  private static final String BY_ID = VIEW + " WHERE d.id = $1";
  /**
   * The code's unique index (V1) finds it; codes are recorded with their row, never while queued. One query whether
   * or not the caller may see the dossier, as by id: an answer's time does not tell a hidden code from an unknown one.
   */
  private static final String BY_CODE = VIEW + " WHERE d.code = $1";

  /** Only for agency clients covering the dossier: the submission and the events, officers included. */
  private static final String AGENCY_DETAILS = """
      SELECT d.payload::text AS payload,
             COALESCE((SELECT json_agg(json_build_object('eventId', e.event_id, 'seq', e.seq, 'clientId', e.client_id,
                                       'status', e.status, 'at', (extract(epoch FROM e.at) * 1000000)::bigint,
                                       'officer', e.officer, 'note', e.note, 'dueDate', e.due_date,
                                       'previousDueDate', e.previous_due_date, 'result', e.result,
                                       'recordedAt', (extract(epoch FROM e.recorded_at) * 1000000)::bigint)
                                       ORDER BY e.seq)
                       FROM dossier_event e WHERE e.dossier_id = d.id), '[]'::json) AS events
      FROM dossier d WHERE d.id = $1""";

  /**
   * The newest dead letter of a dossier (V15's hash index on dossier_id), with the receipt's fields as its entry
   * carried them (V14: text, as queued). A replay (DeadLetterReplay sets replayed_at) puts the entry back on the stream
   * under a new entry id, which its dossier's id does not name: until the intake writes it, only its dead letter
   * answers, the dossier queued again rather than held. A replayed entry that fails again is a newer dead letter.
   */
  private static final String DEAD_LETTER = """
      SELECT code, received_at, client_id, payload, due, replayed_at IS NOT NULL AS replayed
      FROM dead_letter WHERE dossier_id = $1 ORDER BY dead_at DESC LIMIT 1""";

  private static final RedisScript QUEUED = RedisScript.fromResources("lua/queued-receipt.lua");
  /** What a failed PostgreSQL read of a status look-up names in its answer (UpstreamBreakers#failure). */
  private static final String STATUS_READS = "status (postgres)";

  private final Pool pool;
  /** The primary: asked before a look-up says 404 ({@code pool} itself when no replica is set). */
  private final Pool primary;
  private final Redis redis;
  private final RedisKeys keys;
  private final UpstreamBreakers breakers;
  private final Duration timeout;

  public DossierStatusReader(Pool pool, Pool primary, Redis redis, RedisKeys keys, UpstreamBreakers breakers,
                             Duration timeout) {
    this.pool = pool;
    this.primary = primary;
    this.redis = redis;
    this.keys = keys;
    this.breakers = breakers;
    this.timeout = timeout;
  }

  /** What a status look-up found, with who owns it; the owner fields never leave the gateway. */
  public record DossierView(String ownerClient, String applicantHash, JsonObject body) {
    public String handlingAgency() {
      return body.getString("handlingAgency");
    }

    public boolean persisted() {
      return body.getBoolean("persisted");
    }
  }

  public Future<Optional<DossierView>> find(UUID id) {
    return fromPostgres(pool, id)
        .transform(pg -> pg.succeeded() && pg.result().isPresent()
            ? Future.succeededFuture(pg.result())
            : fromRedis(id, pg.cause()).recover(err -> err instanceof HttpFailure ? Future.failedFuture(err)
                : pg.failed() ? Future.failedFuture(HttpFailure.unavailable("status (postgres and redis)", err))
                : heldWithoutRedis(id, err)));
  }

  /**
   * Redis not answering after PostgreSQL found no row: PostgreSQL alone still knows a held dossier (its dead letter),
   * as it knows a recorded one. Any other id may be a dossier queued in Redis: the Redis failure's 503, not a 404.
   */
  private Future<Optional<DossierView>> heldWithoutRedis(UUID id, Throwable redisFailure) {
    return fromDeadLetters(pool, id).transform(held -> held.succeeded() && held.result().isPresent()
        ? Future.succeededFuture(held.result())
        : Future.failedFuture(HttpFailure.unavailable("status (redis)", redisFailure)));
  }

  /** The recorded dossier with this code, if any (PostgreSQL only: a queued dossier has no row to find it by). */
  public Future<Optional<DossierView>> findRecorded(String code) {
    return byCode(pool, code).compose(found -> found.isPresent() || primary == pool ? Future.succeededFuture(found)
        : byCode(primary, code));
  }

  private Future<Optional<DossierView>> byCode(Pool on, String code) {
    return breakers.call(Upstream.POSTGRES_READ, timeout, STATUS_READS,
            () -> on.preparedQuery(BY_CODE).execute(Tuple.of(code)))
        .map(DossierStatusReader::firstRow);
  }

  /** The agency's view of a persisted dossier: the citizen's view plus the submission and every event. */
  public Future<DossierView> withAgencyDetails(UUID id, DossierView view) {
    if (!view.persisted()) {
      return Future.succeededFuture(view);
    }
    // a view the primary answered (the replica behind its commit) has its details there only
    return agencyDetails(pool, id).compose(rows -> rows.size() > 0 || primary == pool ? Future.succeededFuture(rows)
            : agencyDetails(primary, id))
        .map(rows -> rows.size() == 0 ? view : new DossierView(view.ownerClient(), view.applicantHash(),
            DossierViews.withAgencyDetails(view.body(), rows.iterator().next())));
  }

  private Future<RowSet<Row>> agencyDetails(Pool on, UUID id) {
    return breakers.call(Upstream.POSTGRES_READ, timeout, STATUS_READS,
        () -> on.preparedQuery(AGENCY_DETAILS).execute(Tuple.of(id)));
  }

  private Future<Optional<DossierView>> fromPostgres(Pool on, UUID id) {
    return breakers.call(Upstream.POSTGRES_READ, timeout, () -> on.preparedQuery(BY_ID).execute(Tuple.of(id)))
        .map(DossierStatusReader::firstRow);
  }

  private static Optional<DossierView> firstRow(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Optional.empty();
    }
    Row row = rows.iterator().next();
    return Optional.of(new DossierView(row.getString("client_id"), row.getString("applicant_hash"),
        DossierViews.fromRow(row)));
  }

  /** {@code postgresFailure}: why the first PostgreSQL read failed, null when it answered. */
  private Future<Optional<DossierView>> fromRedis(UUID id, Throwable postgresFailure) {
    PartitionKeys partition = keys.forDossier(id.toString());
    return QUEUED.run(redis, List.of(partition.receipt(id.toString()), partition.stream()),
            List.of(Partitions.entryIdOf(id)))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .compose(reply -> {
          String found = reply.get(0).toString();
          StreamEntry entry = found.equals("entry")
              ? StreamEntry.fromFields(RedisReplies.pairs(reply.get(1)), reply.get(2).toString()) : null;
          return switch (found) {
            case "entry" -> id.toString().equalsIgnoreCase(entry.dossierId()) ? found(id, fromEntry(entry))
                // another dossier's entry, named by an id that is not one of an entry (see queued-receipt.lua)
                : notQueued(id, postgresFailure);
            case "hash" -> found(id, QueuedReceipt.fromLegacyHash(RedisReplies.pairs(reply.get(1))));
            case "gone", "none" -> notQueued(id, postgresFailure);
            default -> throw new IllegalStateException("queued-receipt script answered '" + found + "'");
          };
        });
  }

  /**
   * No entry of this dossier (the intake deletes it, and a receipt, once the row is committed, or once its dead
   * letter is): either the dossier is unknown, or the intake wrote its row after PostgreSQL was asked, and PostgreSQL
   * has it now, or its dead letter. With PostgreSQL failing that cannot be told: its 503 (circuit-open or
   * unavailable), not a 404 for a dossier that may exist, and no second read when the first has just failed. The
   * failure is mapped here, not per read: the first read's comes from {@link #find}, and a view that cannot be built
   * from a row fails as the read did.
   */
  private Future<Optional<DossierView>> notQueued(UUID id, Throwable postgresFailure) {
    return (postgresFailure != null ? Future.<Optional<DossierView>>failedFuture(postgresFailure)
            : fromPostgres(primary, id).compose(row -> row.isPresent() ? Future.succeededFuture(row)
                : fromDeadLetters(primary, id)))
        .recover(err -> Future.failedFuture(breakers.failure(STATUS_READS, err)));
  }

  private Future<Optional<DossierView>> fromDeadLetters(Pool on, UUID id) {
    return breakers.call(Upstream.POSTGRES_READ, timeout,
            () -> on.preparedQuery(DEAD_LETTER).execute(Tuple.of(id.toString())))
        .map(rows -> rows.size() == 0 ? Optional.empty() : held(id, rows.iterator().next()));
  }

  /**
   * The receipt's view of a dead-lettered dossier. Its code and receipt time are what the view shows of it, as its
   * 202 gave them: a row without them in their form (rows written before V14 have neither) answers as before, 404.
   */
  private static Optional<DossierView> held(UUID id, Row row) {
    String code = row.getString("code");
    Instant receivedAt = instant(row.getString("received_at"));
    if (code == null || !DossierCode.PATTERN.matcher(code).matches() || receivedAt == null) {
      return Optional.empty();
    }
    // the promised date as the entry carried it (V17; rows written before have none, and show none)
    LocalDate expected = StreamEntry.expectedResultBy(receivedAt, row.getString("due"));
    QueuedReceipt receipt = receipt(code, receivedAt.toString(), row.getString("client_id"), row.getString("payload"),
        expected == null ? null : expected.toString());
    return Optional.of(new DossierView(receipt.clientId(), receipt.applicantHash(),
        DossierViews.fromReceipt(id, receipt, !row.getBoolean("replayed"))));
  }

  private static Instant instant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The receipt's fields from the queued stream entry: its own, and the payload's (the validated dossier). */
  private static QueuedReceipt fromEntry(StreamEntry entry) {
    LocalDate expected = entry.expectedResultBy();
    return receipt(entry.code(), entry.receivedAt(), entry.clientId(), entry.payload(),
        expected == null ? null : expected.toString());
  }

  /**
   * A receipt from an entry's own fields and its payload, read leniently: a dead letter's payload may be anything (not
   * JSON, not an object, fields of other types), and what cannot be read is absent, never a 500. Without an applicant
   * only the submitting client sees the dossier, and without a handling agency no agency does.
   */
  private static QueuedReceipt receipt(String code, String receivedAt, String clientId, String payload,
                                       String expectedResultBy) {
    JsonObject dossier = object(payload);
    JsonObject applicant = dossier.getValue("applicant") instanceof JsonObject a ? a : new JsonObject();
    return new QueuedReceipt(code, receivedAt, clientId, text(dossier, "procedureCode"),
        text(dossier, "receivingUnit"), text(dossier, "handlingAgency"),
        Channel.of(text(dossier, "channel")).map(Channel::tag).orElse(null),
        Owners.applicantHash(text(applicant, "citizenId")), expectedResultBy);
  }

  private static JsonObject object(String json) {
    try {
      return json == null || json.isEmpty() ? new JsonObject() : new JsonObject(json);
    } catch (DecodeException e) {
      return new JsonObject();
    }
  }

  private static String text(JsonObject object, String name) {
    return object.getValue(name) instanceof String s ? s : null;
  }

  private static Future<Optional<DossierView>> found(UUID id, QueuedReceipt receipt) {
    return Future.succeededFuture(Optional.of(new DossierView(receipt.clientId(), receipt.applicantHash(),
        DossierViews.fromReceipt(id, receipt, false))));
  }
}
