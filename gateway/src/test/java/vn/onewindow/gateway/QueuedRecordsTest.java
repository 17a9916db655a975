package vn.onewindow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.Partitions;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.Digests;

/**
 * What the enqueue script keeps in Redis besides the stream entry, and that a status look-up and a retry find it:
 * no receipt (the dossier's id names its entry), a one-string idempotency record; and the receipts and hashes an
 * earlier release wrote.
 */
class QueuedRecordsTest extends OneGatewayPerClass {
  private static final String UNIT = "000.00.53.H48";

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of());
  }

  @Test
  void shouldKeepNoSecondCopyAndStillAnswerTheStatusFromTheEntry() {
    String body = GatewayFixture.example("birth-registration.json");
    JsonObject dossier = new JsonObject(body);
    JsonObject receipt = gw.post(body, "queued-records-0001").bodyAsJsonObject();
    PartitionKeys partition = gw.keys.forUnit(dossier.getString("receivingUnit"));

    String entryId = Partitions.entryIdOf(UUID.fromString(receipt.getString("id")));
    String record = gw.redis(Command.GET, partition.idempotency(GatewayFixture.CLIENT_ID, "queued-records-0001"))
        .toString();
    HttpResponse<Buffer> status = gw.get(receipt.getString("statusUrl"));

    assertThat(gw.redis(Command.XRANGE, partition.stream(), entryId, entryId)).hasSize(1);
    assertThat(gw.redis(Command.EXISTS, partition.receipt(receipt.getString("id"))).toInteger()).isZero();
    assertThat(record).isEqualTo(String.join(" ", Digests.sha256Hex(body), receipt.getString("id"),
        receipt.getString("code"), receipt.getString("receivedAt"), receipt.getString("expectedResultBy")));
    assertThat(status.statusCode()).isEqualTo(200);
    JsonObject view = status.bodyAsJsonObject();
    assertThat(view.getString("code")).isEqualTo(receipt.getString("code"));
    assertThat(view.getString("procedureCode")).isEqualTo(dossier.getString("procedureCode"));
    assertThat(view.getString("receivingUnit")).isEqualTo(dossier.getString("receivingUnit"));
    assertThat(view.getString("handlingAgency")).isEqualTo(dossier.getString("handlingAgency"));
    assertThat(view.getString("channel")).isEqualTo(dossier.getString("channel"));
    assertThat(view.getString("receivedAt")).isEqualTo(receipt.getString("receivedAt"));
    assertThat(view.getBoolean("persisted")).isFalse();
  }

  @Test
  void shouldHonourTheReceiptAndIdempotencyHashesOfAnEarlierRelease() {
    String body = GatewayFixture.example("driving-licence-renewal.json");
    PartitionKeys partition = gw.keys.forUnit(new JsonObject(body).getString("receivingUnit"));
    String id = gw.keys.partitions().newDossierId(partition.index());
    String code = UNIT + "-261101-0042";
    gw.redis(Command.HSET, partition.receipt(id), "code", code, "entry", "1-1", "receivedAt",
        "2026-11-01T01:02:03.004Z", "client", GatewayFixture.CLIENT_ID, "procedureCode", "1.000894",
        "receivingUnit", UNIT, "handlingAgency", "000.21.53.H48", "channel", "online", "expectedResultBy",
        "2026-11-04", "applicantHash", "");
    gw.redis(Command.HSET, partition.idempotency(GatewayFixture.CLIENT_ID, "queued-records-legacy"), "hash",
        Digests.sha256Hex(body), "id", id, "code", code, "receivedAt", "2026-11-01T01:02:03.004Z",
        "expectedResultBy", "2026-11-04");
    long queued = gw.queued();

    HttpResponse<Buffer> status = gw.get("/v1/dossiers/" + id);
    HttpResponse<Buffer> replay = gw.post(body, "queued-records-legacy");
    HttpResponse<Buffer> other = gw.postRaw(GatewayFixture.example("birth-registration.json"),
        "queued-records-legacy");

    assertThat(status.statusCode()).isEqualTo(200);
    assertThat(status.bodyAsJsonObject().getString("code")).isEqualTo(code);
    assertThat(status.bodyAsJsonObject().getString("procedureCode")).isEqualTo("1.000894");
    assertThat(replay.statusCode()).isEqualTo(202);
    assertThat(replay.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replay.bodyAsJsonObject().getString("id")).isEqualTo(id);
    assertThat(replay.bodyAsJsonObject().getString("code")).isEqualTo(code);
    assertThat(replay.bodyAsJsonObject().getString("expectedResultBy")).isEqualTo("2026-11-04");
    assertProblem(other, 409, "idempotency-key-reused");
    assertThat(gw.queued()).isEqualTo(queued);
  }

  /** An entry of an earlier release: it carries its id, and a receipt names it. */
  @Test
  void shouldFindAnEntryOfAnEarlierReleaseByItsReceipt() {
    JsonObject dossier = GatewayFixture.birthRegistration();
    PartitionKeys partition = gw.keys.forUnit(dossier.getString("receivingUnit"));
    String id = gw.keys.partitions().newDossierId(partition.index());
    StreamEntry old = new StreamEntry(id, UNIT + "-261101-0043", GatewayFixture.CLIENT_ID, "2026-11-01T01:02:03.004Z",
        null, dossier.encode());
    List<String> xadd = new ArrayList<>(List.of(partition.stream(), "*"));
    old.toFields().forEach((field, value) -> xadd.addAll(List.of(field, value)));
    String entryId = gw.redis(Command.XADD, xadd.toArray(String[]::new)).toString();
    gw.redis(Command.SET, partition.receipt(id), entryId);

    HttpResponse<Buffer> status = gw.get("/v1/dossiers/" + id);

    assertThat(status.statusCode()).isEqualTo(200);
    assertThat(status.bodyAsJsonObject().getString("code")).isEqualTo(old.code());
    assertThat(status.bodyAsJsonObject().getBoolean("persisted")).isFalse();
  }

  /**
   * An id that names another dossier's entry (an earlier release's id, or a pre-id, can: their first bits are not an
   * entry's) is not that dossier: 404.
   */
  @Test
  void shouldNotTakeAnotherDossiersEntryForTheOneAnIdNames() {
    JsonObject receipt = gw.post(GatewayFixture.example("birth-registration.json")).bodyAsJsonObject();
    UUID queued = UUID.fromString(receipt.getString("id"));
    UUID other = new UUID(queued.getMostSignificantBits(), queued.getLeastSignificantBits() + 1);
    assertThat(Partitions.entryIdOf(other)).isEqualTo(Partitions.entryIdOf(queued));

    assertProblem(gw.getRaw("/v1/dossiers/" + other), 404, "not-found");
    assertThat(gw.get("/v1/dossiers/" + queued).statusCode()).isEqualTo(200);
  }

  @Test
  void shouldAnswerNotFoundWhenTheEntryIsGoneAndNoRowExists() {
    PartitionKeys partition = gw.keys.partition(0);
    String id = gw.keys.partitions().newDossierId(0);
    gw.redis(Command.SET, partition.receipt(id), "1-1");

    HttpResponse<Buffer> status = gw.getRaw("/v1/dossiers/" + id);

    assertProblem(status, 404, "not-found");
  }
}
