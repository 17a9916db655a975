package vn.onewindow.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * Attachments only from the portal's storage (dossier.attachment-uri-prefixes): the agency systems fetch them, so a
 * dossier may not point them at an internal address or hand them credentials.
 */
class AttachmentUrisTest extends OneGatewayPerClass {
  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of("dossier.attachment-uri-prefixes",
        "s3://onewindow-test-uploads/, https://files.dichvucong.gov.vn/"));
  }

  @Test
  void shouldAcceptAttachmentsInThePortalsStorageOnly() {
    assertThat(gw.post(GatewayFixture.birthRegistration().encode()).statusCode()).isEqualTo(202);
    assertThat(gw.post(withUri("https://files.dichvucong.gov.vn/2026/a.pdf")).statusCode()).isEqualTo(202);

    for (String elsewhere : new String[] {"https://169.254.169.254/latest/meta-data", "s3://another-bucket/a.pdf",
        "https://files.dichvucong.gov.vn.evil.example/a.pdf"}) {
      JsonObject problem = assertProblem(gw.postRaw(withUri(elsewhere)), 422, "invalid-dossier");
      assertThat(problem.getJsonArray("errors")).as(elsewhere).contains(new JsonObject()
          .put("pointer", "/attachments/0/storageUri").put("detail", "must be a file in the portal's storage: a URI "
              + "starting with s3://onewindow-test-uploads/, https://files.dichvucong.gov.vn/"));
    }
    JsonObject credentials = assertProblem(gw.postRaw(withUri("https://user:pass@files.dichvucong.gov.vn/a.pdf")),
        422, "invalid-dossier");
    assertThat(credentials.getJsonArray("errors")).contains(new JsonObject()
        .put("pointer", "/attachments/0/storageUri").put("detail", "must not carry a user name or password"));
    // attachments of the wrong type stay the schema's 422 (an object here once made a 500, HostileInputFuzzTest)
    JsonObject notAList = GatewayFixture.birthRegistration().put("attachments", new JsonObject().put("a", 1).put("b", 2));
    assertProblem(gw.postRaw(notAList.encode()), 422, "invalid-dossier");
    assertThat(gw.queued()).isEqualTo(queuedBefore + 2);
  }

  private static String withUri(String uri) {
    JsonObject dossier = GatewayFixture.birthRegistration();
    dossier.getJsonArray("attachments").getJsonObject(0).put("storageUri", uri);
    return dossier.encode();
  }
}
