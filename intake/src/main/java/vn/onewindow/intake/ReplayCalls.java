package vn.onewindow.intake;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.concurrent.TimeUnit;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.Secrets;

/**
 * {@link DeadLetterReplay}'s calls to Redis and PostgreSQL, each awaited for at most {@link #CALL_TIMEOUT_S}: the
 * tool runs on the operator's terminal, so an unreachable server is reported, not waited for. A failure becomes
 * {@link Unavailable}, whose message says what was being done and what state it leaves, with URLs masked and no
 * payload.
 */
final class ReplayCalls {
  /** Bound on every call to Redis or PostgreSQL: an unreachable server is reported, not waited for. */
  static final long CALL_TIMEOUT_S = 15;

  /** A failure of Redis or PostgreSQL, with the sentence the operator reads. */
  static final class Unavailable extends RuntimeException {
    Unavailable(String message) {
      super(message);
    }
  }

  private final HubConfig config;
  private final Redis redis;
  private final Pool sql;

  ReplayCalls(HubConfig config, Redis redis, Pool sql) {
    this.config = config;
    this.redis = redis;
    this.sql = sql;
  }

  /** The schema has V13 and PostgreSQL answers; a dry run checks it too, so that it tells whether a run would work. */
  void checkPostgres() {
    try {
      sql.query("SELECT replayed_at FROM dead_letter LIMIT 0").execute().await(CALL_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      if ("42703".equals(FailureKind.sqlState(e))) {
        throw new Unavailable("PostgreSQL: dead_letter has no replayed_at column: the schema is older than V13;"
            + " migrate it first (start a hub of this release with postgres.migrate=true, as the schema owner)");
      }
      throw new Unavailable("PostgreSQL unreachable or failing (" + Secrets.maskUrl(config.postgres().url()) + "): "
          + reason(e) + "; nothing was replayed");
    }
  }

  /** Its one caller records a replay after the XADD: the failure's sentence says those entries are replayed again. */
  RowSet<Row> sqlCall(String what, String statement, Tuple params) {
    try {
      return sql.preparedQuery(statement).execute(params).await(CALL_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new Unavailable("PostgreSQL failed to " + what + ": " + reason(e) + "; the entries just put back on the"
          + " stream are still on the dead-letter stream too, and the next run replays them again (harmless)");
    }
  }

  Response redisCall(String what, Request request) {
    return redisBatch(what, List.of(request)).get(0);
  }

  List<Response> redisBatch(String what, List<Request> requests) {
    Future<List<Response>> call = requests.size() == 1 ? redis.send(requests.get(0)).map(List::of)
        : redis.batch(requests);
    try {
      return call.await(CALL_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new Unavailable("Redis unreachable or failing (" + Secrets.maskUrl(config.redis().url()) + ") to " + what
          + ": " + reason(e) + "; whatever this run did not finish is still on the dead-letter streams");
    }
  }

  private static String reason(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + Secrets.maskUrl(message));
  }
}
