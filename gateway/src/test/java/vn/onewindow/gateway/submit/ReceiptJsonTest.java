package vn.onewindow.gateway.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.WithNull;
import vn.onewindow.common.dossier.NationalStatus;

/**
 * The receipt's hand-assembled JSON, as a String and as the 202's bytes, is the JsonObject encoding it replaced, for
 * any values: quotes, controls, UTF-16.
 */
class ReceiptJsonTest {

  @Property(tries = 2000)
  void sameAsTheJsonObjectEncoding(@ForAll @WithNull(0.05) String id, @ForAll @WithNull(0.05) String code,
                                   @ForAll String receivedAt, @ForAll String due, @ForAll String procedure,
                                   @ForAll String statusUrl) {
    assertSameAsJsonObject(id, code, receivedAt, due, procedure, statusUrl);
  }

  /** Both branches of each value, pinned: copied whole (nothing to escape) and escaped (quote, control, non-ASCII). */
  @Example
  void typicalValuesAreCopiedAndOthersEscaped() {
    assertSameAsJsonObject("6f1c2a9e-3b7d-4c11-9a0e-5d2f8b1c7e42", "000.00.53.H48-261202-0001",
        "2026-12-02T09:12:44.120Z", "2026-12-03", "1.001612.000.00.00.H48", "/v1/dossiers/6f1c2a9e");
    assertSameAsJsonObject("a\"b", "c\\d", "line\nbreak", "tab\tend", "Giấy khai sinh", "/v1/dossiers/\u0001x");
    assertSameAsJsonObject("", "", "", "", "", "");
  }

  /**
   * The copied path's guards, every character in every place among five plain values: a receipt takes that path only
   * when all six values are plain, which the property above almost never generates and the examples above give only
   * with nothing unusual in them; a guard loosened (a quote copied unescaped, U+0080-U+00FF copied as one byte)
   * passed both.
   */
  @Example
  void anyCharacterAmongPlainValuesIsEncodedAsTheStringForm() {
    String[] plain = {"6f1c2a9e", "000.00.53.H48-261202-0001", "2026-12-02T09:12:44.120Z", "2026-12-03",
        "1.001612.000.00.00.H48", "/v1/dossiers/6f1c2a9e"};
    for (int place = 0; place < plain.length; place++) {
      String[] values = plain.clone();
      for (int c = 0; c <= Character.MAX_VALUE; c++) {
        values[place] = "a" + (char) c;
        assertSameAsJsonObject(values[0], values[1], values[2], values[3], values[4], values[5]);
      }
      values[place] = null;
      assertSameAsJsonObject(values[0], values[1], values[2], values[3], values[4], values[5]);
    }
  }

  private static void assertSameAsJsonObject(String id, String code, String receivedAt, String due, String procedure,
                                             String statusUrl) {
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
    // the 202's bytes: copied for plain values, the String form encoded for the others
    assertThat(receipt.toBody(statusUrl).getBytes()).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
    assertThat(new JsonObject(receipt.toJson(statusUrl)).getString("code")).isEqualTo(code);
  }
}
