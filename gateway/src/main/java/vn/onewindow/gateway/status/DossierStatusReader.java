package vn.onewindow.gateway.status;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import vn.onewindow.common.dossier.NationalStatus;
import vn.onewindow.common.dossier.QueuedReceipt;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.gateway.admission.UpstreamBreakers;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * Where a dossier stands: PostgreSQL once the intake worker has written it, otherwise the receipt the gateway
 * queued in Redis (read-your-writes right after the 202). When one store is down the other still answers.
 */
public final class DossierStatusReader {
  private static final String BY_ID = """
      SELECT d.id::text, d.code, d.procedure_code, d.receiving_unit, d.handling_agency, d.channel, d.status,
             d.received_at, d.persisted_at, d.client_id,
             COALESCE(encode(sha256(convert_to(d.payload->'applicant'->>'citizenId', 'UTF8')), 'hex'), '')
               AS applicant_hash,
             COALESCE((SELECT json_agg(json_build_object('status', h.status,
                                       'at', (extract(epoch FROM h.changed_at) * 1000)::bigint)
                                       ORDER BY h.changed_at)
                       FROM dossier_status_history h WHERE h.dossier_id = d.id), '[]'::json) AS history
      FROM dossier d WHERE d.id = $1""";

  private final Pool pool;
  private final Redis redis;
  private final RedisKeys keys;
  private final UpstreamBreakers breakers;
  private final Duration timeout;

  public DossierStatusReader(Pool pool, Redis redis, RedisKeys keys, UpstreamBreakers breakers, Duration timeout) {
    this.pool = pool;
    this.redis = redis;
    this.keys = keys;
    this.breakers = breakers;
    this.timeout = timeout;
  }

  /** What a status look-up found, with who owns it; the owner fields never leave the gateway. */
  public record DossierView(String ownerClient, String applicantHash, JsonObject body) {
  }

  public Future<Optional<DossierView>> find(UUID id) {
    return fromPostgres(id)
        .transform(pg -> pg.succeeded() && pg.result().isPresent()
            ? Future.succeededFuture(pg.result())
            : fromRedis(id).recover(err -> pg.failed()
                ? Future.failedFuture(HttpFailure.unavailable("status (postgres and redis)", err))
                : Future.failedFuture(HttpFailure.unavailable("status (redis)", err))));
  }

  private Future<Optional<DossierView>> fromPostgres(UUID id) {
    return breakers.call(Upstream.POSTGRES_READ, timeout, () -> pool.preparedQuery(BY_ID).execute(Tuple.of(id)))
        .map(DossierStatusReader::firstRow);
  }

  private static Optional<DossierView> firstRow(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Optional.empty();
    }
    Row row = rows.iterator().next();
    JsonArray history = new JsonArray();
    for (Object element : new JsonArray(row.getValue("history").toString())) {
      JsonObject h = (JsonObject) element;
      history.add(new JsonObject()
          .put("status", NationalStatus.of(h.getInteger("status")).toJson())
          .put("at", Instant.ofEpochMilli(h.getLong("at")).toString()));
    }
    return Optional.of(new DossierView(row.getString("client_id"), row.getString("applicant_hash"), new JsonObject()
        .put("id", row.getString(0))
        .put("code", row.getString("code"))
        .put("procedureCode", row.getString("procedure_code"))
        .put("receivingUnit", row.getString("receiving_unit"))
        .put("handlingAgency", row.getString("handling_agency"))
        .put("channel", row.getString("channel"))
        .put("status", NationalStatus.of(row.getShort("status")).toJson())
        .put("receivedAt", row.getOffsetDateTime("received_at").toInstant().toString())
        .put("persisted", true)
        .put("history", history)));
  }

  private Future<Optional<DossierView>> fromRedis(UUID id) {
    return redis.send(Request.cmd(Command.HGETALL).arg(keys.receipt(id.toString())))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .map(reply -> fromReceipt(id, reply));
  }

  private static Optional<DossierView> fromReceipt(UUID id, Response reply) {
    if (reply == null || reply.size() == 0) {
      return Optional.empty();
    }
    Map<String, String> fields = new HashMap<>();
    for (int i = 0; i + 1 < reply.size(); i += 2) {
      fields.put(reply.get(i).toString(), reply.get(i + 1).toString());
    }
    QueuedReceipt receipt = QueuedReceipt.fromFields(fields);
    JsonObject registered = NationalStatus.NEWLY_REGISTERED.toJson();
    return Optional.of(new DossierView(receipt.clientId(), receipt.applicantHash(), new JsonObject()
        .put("id", id.toString())
        .put("code", receipt.code())
        .put("procedureCode", receipt.procedureCode())
        .put("receivingUnit", receipt.receivingUnit())
        .put("handlingAgency", receipt.handlingAgency())
        .put("channel", receipt.channel())
        .put("status", registered)
        .put("receivedAt", receipt.receivedAt())
        .put("persisted", false)
        .put("history", new JsonArray().add(new JsonObject().put("status", registered)
            .put("at", receipt.receivedAt())))));
  }
}
