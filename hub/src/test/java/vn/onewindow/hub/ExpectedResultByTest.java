package vn.onewindow.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.hub.AgencyHub.AGENCY_KEY;
import static vn.onewindow.hub.AgencyHub.PORTAL_KEY;
import static vn.onewindow.hub.AgencyHub.event;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.Partitions;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.testing.Await;
import vn.onewindow.common.testing.TestServers;

/**
 * The date the 202 promises ({@code expectedResultBy}) is stored with the dossier by the intake and shown by every
 * view of it: the submitter's, the public progress view by code and the agency feed, before and after acceptance
 * (after it the agency's {@code dueDate} rules, the promise stays what the receipt said). An entry queued by the
 * previous release, without the date, is still written, the date null.
 */
class ExpectedResultByTest {
  private static AgencyHub hub;

  @BeforeAll
  static void start() {
    hub = new AgencyHub(Map.of());
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void shouldStoreTheReceiptsDateAndShowItBeforeAndAfterAcceptance() {
    JsonObject receipt = hub.submitPersisted("birth-registration.json");
    String id = receipt.getString("id");
    String promised = receipt.getString("expectedResultBy");
    assertThat(promised).isNotNull();
    assertThat(TestServers.queryString(hub.config.postgres().url(),
        "SELECT expected_result_by::text FROM dossier WHERE id = '" + id + "'")).isEqualTo(promised);

    JsonObject view = view(id);
    assertThat(view.getBoolean("persisted")).isTrue();
    assertThat(view.getString("expectedResultBy")).isEqualTo(promised);
    assertThat(view.getValue("dueDate")).as("the agency's appointment, not set before acceptance").isNull();
    JsonObject progress = ok(hub.get(PORTAL_KEY, "/v1/dossiers?code=" + receipt.getString("code")));
    assertThat(progress.getString("expectedResultBy")).isEqualTo(promised);
    String feed = "/v1/agencies/" + receipt.getJsonObject("submission").getString("handlingAgency") + "/dossiers";
    JsonObject item = item(hub.feedUntil(AGENCY_KEY, feed, items -> item(items, id) != null), id);
    assertThat(item.getString("expectedResultBy")).isEqualTo(promised);
    assertThat(item.getValue("dueDate")).isNull();

    // the agency accepts: its appointment is the due date from then on, the receipt's promise stays as it was
    HttpResponse<Buffer> accepted = hub.event(AGENCY_KEY, id,
        event("promised-" + id, 2, Instant.parse(receipt.getString("receivedAt")).plusSeconds(1)));
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(201);
    String appointment = accepted.bodyAsJsonObject().getString("dueDate");
    JsonObject after = view(id);
    assertThat(after.getString("dueDate")).isEqualTo(appointment).isNotNull();
    assertThat(after.getString("expectedResultBy")).isEqualTo(promised);
    assertThat(ok(hub.get(PORTAL_KEY, "/v1/dossiers?code=" + receipt.getString("code"))).getString("dueDate"))
        .isEqualTo(appointment);
  }

  /** An upgrade: the previous release's gateway queued its entries without the date; the intake writes them. */
  @Test
  void shouldPersistAnEntryQueuedWithoutTheDate() {
    JsonObject dossier = new JsonObject(HubEndToEndTest.example("birth-registration.json"));
    dossier.getJsonObject("applicant").put("citizenId", "048077770001");
    RedisKeys keys = RedisKeys.of(hub.config.redis(), hub.config.stream());
    PartitionKeys partition = keys.forUnit(dossier.getString("receivingUnit"));
    String rid = keys.partitions().newDossierId(partition.index());
    StreamEntry old = new StreamEntry(rid, dossier.getString("receivingUnit") + "-261101-0077", AgencyHub.PORTAL_CLIENT,
        Instant.now().toString(), null, dossier.encode(), null);
    String entryId = System.currentTimeMillis() + "-0";
    List<String> xadd = new ArrayList<>(List.of("XADD", partition.stream(), entryId));
    old.toQueuedFields().forEach((field, value) -> xadd.addAll(List.of(field, value)));
    assertThat(xadd).doesNotContain(StreamEntry.DUE);
    URI redis = URI.create(hub.config.redis().url());
    TestServers.redisCommand(redis.getHost(), redis.getPort(), xadd.toArray(String[]::new));
    String id = Partitions.entryDossierId(rid, entryId);

    Await.until(Duration.ofSeconds(10), "the old entry persisted",
        () -> hub.count("SELECT count(*) FROM dossier WHERE id = '" + id + "'") == 1);
    assertThat(hub.count("SELECT count(*) FROM dossier WHERE id = '" + id + "' AND expected_result_by IS NULL"))
        .isEqualTo(1);
    assertThat(hub.count("SELECT count(*) FROM dead_letter")).isZero();
    JsonObject view = view(id);
    assertThat(view.getBoolean("persisted")).isTrue();
    assertThat(view.getString("code")).isEqualTo(old.code());
    assertThat(view.containsKey("expectedResultBy")).isTrue();
    assertThat(view.getValue("expectedResultBy")).isNull();
  }

  private static JsonObject view(String id) {
    return ok(hub.get(PORTAL_KEY, "/v1/dossiers/" + id));
  }

  private static JsonObject ok(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static JsonObject item(JsonArray items, String id) {
    return items.stream().map(JsonObject.class::cast).filter(i -> id.equals(i.getString("id"))).findFirst()
        .orElse(null);
  }
}
