package vn.onewindow.gateway.feedback;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import vn.onewindow.common.dossier.Channel;
import vn.onewindow.common.dossier.NationalStatus;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.gateway.admission.UpstreamBreakers;
import vn.onewindow.gateway.http.DossierIds;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.Idempotency;
import vn.onewindow.gateway.http.JsonContent;
import vn.onewindow.gateway.http.Problem;
import vn.onewindow.gateway.http.ApiTimes;
import vn.onewindow.gateway.security.Caller;
import vn.onewindow.gateway.security.Owners;
import vn.onewindow.gateway.validation.DossierParser;
import vn.onewindow.gateway.validation.Violation;

/**
 * POST /v1/dossiers/{id}/rating: the applicant's satisfaction survey, sent by the frontend that submitted the dossier
 * (or with the applicant's citizen token), once the result was returned (status 10), once per dossier. Each answer
 * is a level from 1 (very unsatisfied) to 5 (very satisfied); the timeliness statistics report the satisfied share.
 * The same survey sent again (its 201 lost on the way) is answered as a replay of the recorded one, 200; other
 * answers are 409 {@code already-rated}, the first rating stands.
 */
public final class RatingHandler {
  /** The national survey has 11 questions (PhieuKhaoSat TraLoi1..11). */
  static final int MAX_ANSWERS = 11;
  private static final String DOSSIER = """
      SELECT client_id, status,
             COALESCE(encode(sha256(convert_to(payload->'applicant'->>'citizenId', 'UTF8')), 'hex'), '')
               AS applicant_hash
      FROM dossier WHERE id = $1""";
  private static final String INSERT = """
      INSERT INTO dossier_rating (dossier_id, client_id, channel, answers, satisfied) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (dossier_id) DO NOTHING
      RETURNING rated_at""";
  /** The rating already recorded, read when the INSERT found one (a new statement: it sees a concurrent commit). */
  private static final String RECORDED = "SELECT channel, answers, rated_at FROM dossier_rating WHERE dossier_id = $1";

  /** A valid survey answer. */
  record Rating(Channel channel, List<Integer> answers) {
    int satisfied() {
      return (int) answers.stream().filter(level -> level >= 4).count();
    }
  }

  /** The rating on record for the dossier, and whether this request repeated it rather than recorded it. */
  private record Recorded(Rating rating, String ratedAt, boolean replayed) {
  }

  private final Pool pool;
  private final UpstreamBreakers breakers;
  private final Duration timeout;
  private final DossierParser parser;

  public RatingHandler(DossierParser parser, Pool pool, UpstreamBreakers breakers, Duration timeout) {
    this.parser = parser;
    this.pool = pool;
    this.breakers = breakers;
    this.timeout = timeout;
  }

  public void rate(RoutingContext ctx) {
    UUID id = DossierIds.parse(ctx.pathParam("id"));
    Rating rating = parse(ctx);
    Caller caller = Caller.of(ctx);
    breakers.call(Upstream.POSTGRES_WRITE, timeout, "ratings (postgres)",
            () -> pool.withTransaction(conn -> conn.preparedQuery(DOSSIER)
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next())
                .compose(row -> open(row, caller))
                .compose(v -> conn.preparedQuery(INSERT).execute(Tuple.of(id, caller.clientId(),
                    rating.channel().tag(), rating.answers().stream().map(Integer::shortValue).toArray(Short[]::new),
                    (short) rating.satisfied())))
                .compose(inserted -> inserted.size() == 1
                    ? Future.succeededFuture(new Recorded(rating, ratedAt(inserted.iterator().next()), false))
                    : conn.preparedQuery(RECORDED).execute(Tuple.of(id)).map(rows -> replay(rating, rows)))))
        .onSuccess(recorded -> ctx.response()
            .setStatusCode(recorded.replayed() ? 200 : 201)
            .putHeader(HttpHeaders.CONTENT_TYPE, JsonContent.CONTENT_TYPE)
            .putHeader(Idempotency.REPLAYED_HEADER, String.valueOf(recorded.replayed()))
            .end(new JsonObject()
                .put("dossierId", id.toString())
                .put("channel", recorded.rating().channel().tag())
                .put("answers", new JsonArray(recorded.rating().answers()))
                .put("satisfied", recorded.rating().satisfied())
                .put("ratedAt", recorded.ratedAt())
                .encode()))
        .onFailure(ctx::fail);
  }

  /**
   * The INSERT found a rating on record: the same survey again is a retry whose answer was lost, answered with the
   * recorded one; anything else would change a rating given once.
   */
  private static Recorded replay(Rating sent, RowSet<Row> rows) {
    Row row = rows.iterator().next();
    List<Integer> answers = new ArrayList<>();
    for (Short level : row.getArrayOfShorts("answers")) {
      answers.add(level.intValue());
    }
    Rating recorded = new Rating(Channel.of(row.getString("channel")).orElseThrow(), List.copyOf(answers));
    if (!recorded.equals(sent)) {
      throw HttpFailure.of(Problem.ALREADY_RATED, "this dossier was already rated with other answers; a dossier is "
          + "rated once", Map.of());
    }
    return new Recorded(recorded, ratedAt(row), true);
  }

  private static String ratedAt(Row row) {
    return ApiTimes.recorded(row.getOffsetDateTime("rated_at"));
  }

  /** Who may not see the dossier is told it does not exist; a result not yet returned cannot be rated. */
  private static Future<Void> open(Row row, Caller caller) {
    // the same rule as its status by id: a citizen token narrows even the submitting frontend to that citizen's own
    if (row == null || Owners.visibility(caller, Owners.Lookup.BY_ID, row.getString("client_id"),
        row.getString("applicant_hash"), null) != Owners.Visibility.CITIZEN) {
      return Future.failedFuture(HttpFailure.notFound("no dossier with this id"));
    }
    int status = row.getShort("status");
    if (status != NationalStatus.RESULT_RETURNED.code()) {
      return Future.failedFuture(HttpFailure.of(Problem.RATING_NOT_OPEN,
          "a dossier can be rated once its result was returned (status 10); it is at status " + status,
          Map.of("currentStatus", NationalStatus.of(status).toJson())));
    }
    return Future.succeededFuture();
  }

  /**
   * Read as strictly as a dossier or an event (400 for what is not JSON, duplicate names included); JSON that is not
   * an object is a 422 on the whole body, as on those routes.
   */
  private Rating parse(RoutingContext ctx) {
    Buffer buffer = ctx.body().buffer();
    JsonNode body = parser.parse(buffer == null ? new byte[0] : buffer.getBytes());
    if (!body.isObject()) {
      throw HttpFailure.invalid(Problem.INVALID_RATING, "rating", List.of(new Violation("",
          body.getNodeType().name().toLowerCase(Locale.ROOT) + " found, object expected")));
    }
    return validate(new JsonObject(buffer));
  }

  /** Every problem of the survey at once, like a dossier's (422 with one violation per field). */
  static Rating validate(JsonObject body) {
    List<Violation> violations = new ArrayList<>();
    for (String field : body.fieldNames()) {
      if (!field.equals("answers") && !field.equals("channel")) {
        violations.add(new Violation(Violation.member("", field), "unknown field"));
      }
    }
    Object rawChannel = body.getValue("channel");
    Channel channel = rawChannel instanceof String s ? Channel.of(s).orElse(null) : null;
    if (channel == null) {
      violations.add(new Violation("/channel", "must be one of online, counter, postal"));
    }
    Object rawAnswers = body.getValue("answers");
    List<Integer> answers = new ArrayList<>();
    if (!(rawAnswers instanceof JsonArray array) || array.isEmpty() || array.size() > MAX_ANSWERS) {
      violations.add(new Violation("/answers", "must be an array of 1 to " + MAX_ANSWERS + " levels"));
    } else {
      for (int i = 0; i < array.size(); i++) {
        Object level = array.getValue(i);
        if (level instanceof Integer n && n >= 1 && n <= 5) {
          answers.add(n);
        } else {
          violations.add(new Violation("/answers/" + i, "must be a whole number from 1 (very unsatisfied) to 5 "
              + "(very satisfied)"));
        }
      }
    }
    if (!violations.isEmpty()) {
      throw HttpFailure.invalid(Problem.INVALID_RATING, "rating", violations);
    }
    return new Rating(channel, List.copyOf(answers));
  }
}
