package vn.onewindow.gateway.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.WithNull;
import vn.onewindow.common.dossier.NationalStatus;

/** The receipt's hand-assembled JSON is the JsonObject encoding it replaced, for any values: quotes, controls, UTF-16. */
class ReceiptJsonTest {

  @Property(tries = 2000)
  void sameAsTheJsonObjectEncoding(@ForAll @WithNull(0.05) String id, @ForAll @WithNull(0.05) String code,
                                   @ForAll String receivedAt, @ForAll String due, @ForAll String procedure,
                                   @ForAll String statusUrl) {
    Receipt receipt = new Receipt(id, code, receivedAt, due, procedure, false);

    String expected = new JsonObject()
        .put("id", id)
        .put("code", code)
        .put("status", NationalStatus.NEWLY_REGISTERED.toJson())
        .put("receivedAt", receivedAt)
        .put("expectedResultBy", due)
        .put("procedureCode", procedure)
        .put("statusUrl", statusUrl)
        .encode();

    assertThat(receipt.toJson(statusUrl)).isEqualTo(expected);
    assertThat(new JsonObject(receipt.toJson(statusUrl)).getString("code")).isEqualTo(code);
  }
}
