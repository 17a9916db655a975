package vn.onewindow.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * A dossier sent with a citizen token must be in that citizen's name. A 403, not a 422: the dossier itself is valid,
 * this caller is just not allowed to file it. Pure, so it is unit-tested without a server;
 * {@link Security#checkApplicant} applies it to a request.
 */
public final class ApplicantCheck {
  private ApplicantCheck() {
  }

  /**
   * Empty when there is no token ({@code citizenFromToken} null), or the applicant has no citizen ID (a business),
   * or they match (compared in constant time).
   */
  public static Optional<HttpFailure> check(String citizenFromToken, String citizenIdInBody) {
    if (citizenFromToken == null || citizenIdInBody == null || citizenIdInBody.isEmpty()
        || MessageDigest.isEqual(citizenFromToken.getBytes(StandardCharsets.UTF_8),
        citizenIdInBody.getBytes(StandardCharsets.UTF_8))) {
      return Optional.empty();
    }
    return Optional.of(HttpFailure.forbidden("applicant-mismatch", "Applicant mismatch",
        "applicant.citizenId is not the citizen identified by the bearer token; a citizen may only file dossiers "
            + "in their own name"));
  }
}
