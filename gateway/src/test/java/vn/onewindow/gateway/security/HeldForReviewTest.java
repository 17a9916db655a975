package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.MOBILE_KEY;
import static vn.onewindow.gateway.security.SecurityTestSupport.PORTAL_KEY;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;
import static vn.onewindow.gateway.security.SecurityTestSupport.dossierOf;
import static vn.onewindow.gateway.security.SecurityTestSupport.post;
import static vn.onewindow.gateway.security.SecurityTestSupport.randomCitizenId;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.DossierTable;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.Partitions;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisReplies;
import vn.onewindow.common.testing.TcpProxy;
import vn.onewindow.gateway.GatewayFixture;

/**
 * A dossier that got its 202 and that the intake could not write (its entry dead-lettered: a row in
 * {@code dead_letter}, the entry deleted) answers its status link with the receipt's view and
 * {@code heldForReview: true}, not a 404 saying it does not exist; to the same callers as any other view (the
 * submitting client without a citizen token, the applicant with one, an agency covering it) and to no one else. A
 * payload that is not a readable dossier shows nothing of it, and only its submitting client, without a token, sees the
 * dossier.
 */
class HeldForReviewTest extends ReadersGatewayPerClass {
  private static final String AGENCY_KEY = "dev-agency-key";
  private static final String HANOI_AGENCY_KEY = "dev-agency-hanoi-key";
  /** The columns DeadLetters.INSERT_SQL writes, one row. */
  private static final String DEAD_LETTER = """
      INSERT INTO dead_letter (stream, stream_entry_id, dossier_id, payload, error, deliveries, code, client_id,
                               received_at, due)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""";

  @Test
  void shouldShowADeadLetteredDossierToItsReadersAsHeldForReview() {
    String citizen = randomCitizenId();
    JsonObject dossier = dossierOf(citizen);
    JsonObject receipt = post(bare, Map.of("X-Api-Key", PORTAL_KEY), dossier.encode()).bodyAsJsonObject();
    String id = receipt.getString("id");
    deadLetterQueuedEntry(id);
    String path = "/v1/dossiers/" + id;

    HttpResponse<Buffer> owner = get(path, Map.of("X-Api-Key", PORTAL_KEY));
    HttpResponse<Buffer> applicant = get(path,
        Map.of("X-Api-Key", MOBILE_KEY, "Authorization", "Bearer " + TOKENS.rs256(citizen)));
    HttpResponse<Buffer> agency = get(path, Map.of("X-Api-Key", AGENCY_KEY));
    HttpResponse<Buffer> otherClient = get(path, Map.of("X-Api-Key", MOBILE_KEY));
    HttpResponse<Buffer> otherCitizen = get(path,
        Map.of("X-Api-Key", MOBILE_KEY, "Authorization", "Bearer " + TOKENS.rs256(randomCitizenId())));
    HttpResponse<Buffer> otherAgency = get(path, Map.of("X-Api-Key", HANOI_AGENCY_KEY));
    // a citizen token narrows even the submitting client to that citizen's dossiers
    HttpResponse<Buffer> ownerWithOtherCitizen = get(path,
        Map.of("X-Api-Key", PORTAL_KEY, "Authorization", "Bearer " + TOKENS.rs256(randomCitizenId())));
    HttpResponse<Buffer> unknown = get("/v1/dossiers/" + UUID.randomUUID(), Map.of("X-Api-Key", PORTAL_KEY));

    assertThat(owner.statusCode()).as(owner.bodyAsString()).isEqualTo(200);
    assertThat(owner.getHeader("Content-Type")).isEqualTo("application/json");
    JsonObject view = owner.bodyAsJsonObject();
    assertThat(view.getString("id")).isEqualTo(id);
    assertThat(view.getString("code")).isEqualTo(receipt.getString("code"));
    assertThat(view.getString("receivedAt")).isEqualTo(receipt.getString("receivedAt"));
    assertThat(view.getJsonObject("status")).isEqualTo(new JsonObject().put("code", 1).put("name", "Mới đăng ký"));
    assertThat(view.getBoolean("persisted")).isFalse();
    assertThat(view.getBoolean("heldForReview")).isTrue();
    assertThat(view.getString("procedureCode")).isEqualTo(dossier.getString("procedureCode"));
    assertThat(view.getString("receivingUnit")).isEqualTo(dossier.getString("receivingUnit"));
    assertThat(view.getString("handlingAgency")).isEqualTo(dossier.getString("handlingAgency"));
    assertThat(view.getString("channel")).isEqualTo(dossier.getString("channel"));
    // the date the receipt promised, as the dead letter keeps it from the entry (StreamEntry.DUE)
    assertThat(view.getString("expectedResultBy")).isNotNull().isEqualTo(receipt.getString("expectedResultBy"));
    assertThat(view.encode()).doesNotContain(citizen).doesNotContain("client").doesNotContain("rejected");
    assertThat(applicant.statusCode()).as(applicant.bodyAsString()).isEqualTo(200);
    assertThat(applicant.bodyAsJsonObject()).isEqualTo(view);
    assertThat(agency.statusCode()).as(agency.bodyAsString()).isEqualTo(200);
    assertThat(agency.bodyAsJsonObject()).isEqualTo(view);
    String missing = assertProblem(unknown, 404, "not-found").getString("detail");
    for (HttpResponse<Buffer> hidden : List.of(otherClient, otherCitizen, otherAgency, ownerWithOtherCitizen)) {
      assertThat(assertProblem(hidden, 404, "not-found").getString("detail")).isEqualTo(missing);
    }
  }

  @Test
  void shouldShowAnUnreadableDeadLetterOnlyToItsSubmittingClient() {
    String citizen = randomCitizenId();
    // not JSON; JSON but not an object; an object whose fields have the wrong types (none of them a dossier's)
    List<String> payloads = List.of("{\"applicant\": {\"citizenId\": \"" + citizen + "\", ", "[1, 2]", "",
        "{\"procedureCode\": 42, \"receivingUnit\": [], \"handlingAgency\": {}, \"channel\": \"fax\", "
            + "\"applicant\": \"" + citizen + "\"}");
    for (String payload : payloads) {
      String id = gw.keys.partitions().newDossierId(0);
      String code = "000.00.53.H48-261204-" + (1000 + payloads.indexOf(payload));
      String receivedAt = "2026-12-04T03:04:05.678Z";
      deadLetter(gw.keys.forDossier(id).stream(), "1764817445678-" + (10 + payloads.indexOf(payload)), id, payload,
          GatewayFixture.CLIENT_ID, code, receivedAt);
      String path = "/v1/dossiers/" + id;

      HttpResponse<Buffer> owner = get(path, Map.of("X-Api-Key", PORTAL_KEY));

      String which = "payload " + payloads.indexOf(payload);
      assertThat(owner.statusCode()).as("%s: %s", which, owner.bodyAsString()).isEqualTo(200);
      JsonObject view = owner.bodyAsJsonObject();
      assertThat(view.getBoolean("heldForReview")).isTrue();
      assertThat(view.getBoolean("persisted")).isFalse();
      assertThat(view.getJsonObject("status").getInteger("code")).isEqualTo(1);
      assertThat(view.getString("code")).isEqualTo(code);
      assertThat(view.getString("receivedAt")).isEqualTo(receivedAt);
      for (String absent : List.of("procedureCode", "receivingUnit", "handlingAgency", "channel")) {
        assertThat(view.getValue(absent)).as("%s of %s", absent, which).isNull();
      }
      // a dossier without a readable applicant is no citizen's: by its id its submitting client reads it with a
      // citizen token as without one (Owners.visibility), and no one else does
      HttpResponse<Buffer> ownerSignedIn = get(path, Map.of("X-Api-Key", PORTAL_KEY, "Authorization",
          "Bearer " + TOKENS.rs256(citizen)));
      assertThat(ownerSignedIn.statusCode()).as("%s: %s", which, ownerSignedIn.bodyAsString()).isEqualTo(200);
      assertThat(ownerSignedIn.bodyAsJsonObject()).isEqualTo(view);
      for (Map<String, String> other : List.<Map<String, String>>of(Map.of("X-Api-Key", MOBILE_KEY),
          Map.of("X-Api-Key", MOBILE_KEY, "Authorization", "Bearer " + TOKENS.rs256(citizen)),
          Map.of("X-Api-Key", AGENCY_KEY))) {
        assertProblem(get(path, other), 404, "not-found");
      }
    }
  }

  @Test
  void shouldHoldNeitherAQueuedNorARecordedNorAReplayedDossier() {
    JsonObject queued = post(bare, Map.of("X-Api-Key", PORTAL_KEY), dossierOf(randomCitizenId()).encode())
        .bodyAsJsonObject();
    String recorded = recordedDossier();
    // dead-lettered, then replayed and written: the row answers, whatever dead letters it left behind
    deadLetter(gw.keys.forDossier(recorded).stream(), "1764817445678-20", recorded,
        GatewayFixture.birthRegistration().encode(), GatewayFixture.CLIENT_ID, "000.00.53.H48-261204-0001",
        "2026-12-04T03:04:05.678Z");
    // put back on the stream by DeadLetterReplay, not written yet: queued again, no longer held
    String replayed = gw.keys.partitions().newDossierId(0);
    deadLetter(gw.keys.forDossier(replayed).stream(), "1764817445678-21", replayed,
        GatewayFixture.birthRegistration().encode(), GatewayFixture.CLIENT_ID, "000.00.53.H48-261204-0002",
        "2026-12-04T03:04:05.678Z");
    pool.preparedQuery("UPDATE dead_letter SET replayed_at = now() WHERE dossier_id = $1").execute(Tuple.of(replayed))
        .await();

    JsonObject queuedView = gw.get(queued.getString("statusUrl")).bodyAsJsonObject();
    HttpResponse<Buffer> recordedView = gw.get("/v1/dossiers/" + recorded);
    HttpResponse<Buffer> replayedView = gw.get("/v1/dossiers/" + replayed);

    assertThat(queuedView.getBoolean("persisted")).isFalse();
    assertThat(queuedView.getBoolean("heldForReview")).isFalse();
    assertThat(recordedView.statusCode()).as(recordedView.bodyAsString()).isEqualTo(200);
    assertThat(recordedView.bodyAsJsonObject().getBoolean("persisted")).isTrue();
    assertThat(recordedView.bodyAsJsonObject().getBoolean("heldForReview")).isFalse();
    assertThat(replayedView.statusCode()).as(replayedView.bodyAsString()).isEqualTo(200);
    assertThat(replayedView.bodyAsJsonObject().getBoolean("persisted")).isFalse();
    assertThat(replayedView.bodyAsJsonObject().getBoolean("heldForReview")).isFalse();
    assertThat(replayedView.bodyAsJsonObject().getString("code")).isEqualTo("000.00.53.H48-261204-0002");
  }

  /**
   * PostgreSQL not answering the dead-letter read (the table locked by another session past the read's timeout): a
   * 503 as on any failed read, not a 404 for a dossier it may hold. (A dead-letter table that is missing is a defect of
   * the installation, a 500: RatingApiTest.)
   */
  @Test
  void shouldAnswer503WhenTheDeadLettersCannotBeRead() {
    try (GatewayFixture own = new GatewayFixture(Map.of("timeout.postgres-read-ms", "300"))) {
      Pool locking = PostgresClients.pool(own.vertx, own.config.postgres(), "test");
      SqlConnection session = locking.getConnection().await();
      try {
        session.query("BEGIN").execute().await();
        session.query("LOCK TABLE dead_letter IN ACCESS EXCLUSIVE MODE").execute().await();

        HttpResponse<Buffer> status = own.get("/v1/dossiers/" + own.keys.partitions().newDossierId(0));

        assertProblem(status, 503, "upstream-unavailable");
        assertThat(status.getHeader("Retry-After")).isNotNull();
      } finally {
        session.query("ROLLBACK").execute().await();
        session.close().await();
        locking.close().await();
      }
    }
  }

  /**
   * Redis not answering: PostgreSQL alone still knows a held dossier (its dead letter), as it knows a recorded one; a
   * dossier it knows nothing of may be queued in Redis, so that one is a 503, not a 404.
   */
  @Test
  void shouldShowAHeldDossierWhileRedisIsDown() throws Exception {
    try (TcpProxy proxy = SecurityTestSupport.proxyToTheTestRedis()) {
      try (GatewayFixture own = SecurityTestSupport.gatewayBehind(proxy)) {
        HttpResponse<Buffer> accepted = own.post(GatewayFixture.birthRegistration().encode());
        assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
        String id = accepted.bodyAsJsonObject().getString("id");
        Pool ownDatabase = PostgresClients.pool(own.vertx, own.config.postgres(), "test");
        try {
          deadLetterQueuedEntry(own, ownDatabase, id);
        } finally {
          ownDatabase.close().await();
        }
        proxy.down();

        HttpResponse<Buffer> held = own.get("/v1/dossiers/" + id);
        HttpResponse<Buffer> unknown = own.get("/v1/dossiers/" + own.keys.partitions().newDossierId(0));

        assertThat(held.statusCode()).as(held.bodyAsString()).isEqualTo(200);
        assertThat(held.bodyAsJsonObject().getBoolean("heldForReview")).isTrue();
        assertThat(held.bodyAsJsonObject().getString("code"))
            .isEqualTo(accepted.bodyAsJsonObject().getString("code"));
        assertProblem(unknown, 503, "upstream-unavailable");
        assertThat(unknown.getHeader("Retry-After")).isNotNull();
      }
    }
  }

  /** What the intake's DeadLetters does with a queued entry: a row with the entry's fields, then XDEL of the entry. */
  private static void deadLetterQueuedEntry(String id) {
    deadLetterQueuedEntry(gw, pool, id);
  }

  private static void deadLetterQueuedEntry(GatewayFixture gw, Pool database, String id) {
    PartitionKeys partition = gw.keys.forDossier(id);
    String entryId = Partitions.entryIdOf(UUID.fromString(id));
    Response range = gw.redis(Command.XRANGE, partition.stream(), entryId, entryId);
    assertThat(range).as("entry %s of dossier %s", entryId, id).hasSize(1);
    Map<String, String> fields = RedisReplies.pairs(range.get(0).get(1));
    assertThat(StreamEntry.dossierIdOf(fields, entryId)).isEqualTo(id);
    deadLetter(database, partition.stream(), entryId, id, fields.get(StreamEntry.PAYLOAD),
        fields.get(StreamEntry.CLIENT), fields.get(StreamEntry.CODE), fields.get(StreamEntry.RECEIVED_AT),
        fields.get(StreamEntry.DUE));
    gw.redis(Command.XDEL, partition.stream(), entryId);
  }

  private static void deadLetter(String stream, String entryId, String id, String payload, String client, String code,
                                 String receivedAt) {
    deadLetter(pool, stream, entryId, id, payload, client, code, receivedAt, null);
  }

  private static void deadLetter(Pool database, String stream, String entryId, String id, String payload,
                                 String client, String code, String receivedAt, String due) {
    database.preparedQuery(DEAD_LETTER).execute(Tuple.of(stream, entryId, id, payload,
        "rejected: value too long for type character varying(255) (SQLSTATE 22001)", 1, code, client, receivedAt)
        .addString(due)).await();
  }

  /** A dossier of the fixture's client written straight to PostgreSQL, as intake leaves it: nothing in Redis. */
  private static String recordedDossier() {
    String id = gw.keys.partitions().newDossierId(0);
    pool.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(List.of(DossierTable.NewDossier.of(id,
        "000.00.53.H48-261204-" + (5000 + Math.abs(id.hashCode() % 1000)), GatewayFixture.CLIENT_ID,
        Instant.now().toString(), null, GatewayFixture.birthRegistration().encode(), "1-0", null)))).await();
    return id;
  }
}
