package vn.onewindow.common.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.impl.HttpResponseImpl;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The oracle itself: an answer the contract's schemas refuse must fail the check. The contract is OpenAPI 3.1, whose
 * schemas write a type as {@code type: integer} or {@code type: [string, 'null']}; the Atlassian validator reads
 * neither from a 3.1 document and let any value of any type through (a procedure's {@code processingDays} as a
 * string, a {@code cutOff} as a number), so every integration test checked members, enums and headers but no type.
 */
class ContractCheckTest {
  private static final String PROCEDURE = "/v1/procedures/1.001612.000.00.00.H48";
  private static final String REQUEST_ID = "7d08f642-3ff4-46f1-b193-84aeed0f9df6";

  @Test
  void shouldAcceptAnAnswerTheContractDescribes() {
    assertThatCode(() -> check(PROCEDURE, 200, "application/json", procedure()))
        .doesNotThrowAnyException();
  }

  @Test
  void shouldRefuseAMemberOfTheWrongType() {
    assertThatThrownBy(() -> check(PROCEDURE, 200, "application/json", procedure().put("processingDays", "one")))
        .isInstanceOf(AssertionError.class).hasMessageContaining("processingDays");
  }

  @Test
  void shouldRefuseAValueOutsideANullableType() {
    assertThatThrownBy(() -> check(PROCEDURE, 200, "application/json", procedure().put("cutOff", 15)))
        .isInstanceOf(AssertionError.class).hasMessageContaining("cutOff");
  }

  @Test
  void shouldRefuseAProblemWhoseStatusIsNotANumber() {
    JsonObject problem = new JsonObject().put("type", "https://hub.onewindow.gov.vn/problems/not-found")
        .put("title", "Not found").put("status", "404").put("detail", "no such procedure").put("instance", PROCEDURE)
        .put("requestId", REQUEST_ID);
    assertThatThrownBy(() -> check(PROCEDURE, 404, "application/problem+json", problem))
        .isInstanceOf(AssertionError.class).hasMessageContaining("status");
  }

  private static JsonObject procedure() {
    return new JsonObject().put("code", "1.001612.000.00.00.H48").put("name", "Đăng ký khai sinh")
        .put("nameEn", "Birth registration").put("field", "Hộ tịch").put("level", "full").put("processingDays", 1)
        .putNull("cutOff").put("channels", List.of("online")).put("applicantTypes", List.of("citizen"))
        .put("requiredFields", List.of()).put("fields", List.of()).put("requiredAttachments", 0).put("active", true);
  }

  private static void check(String path, int status, String contentType, JsonObject body) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", contentType)
        .add("X-Request-Id", REQUEST_ID).add("X-Content-Type-Options", "nosniff").add("X-Frame-Options", "DENY")
        .add("Referrer-Policy", "no-referrer").add("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        .add("Cache-Control", "private, max-age=300").add("Vary", "Origin");
    HttpResponse<Buffer> answer = new HttpResponseImpl<>(HttpVersion.HTTP_1_1, status, "", headers,
        MultiMap.caseInsensitiveMultiMap(), List.of(), Buffer.buffer(body.encode()), List.of());
    ContractCheck.get().check("GET", path, MultiMap.caseInsensitiveMultiMap().add("X-Api-Key", "k"), null, answer,
        false);
  }
}
