package vn.onewindow.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.Problem;

/**
 * A dossier sent with a citizen token must be in that citizen's name. A 403, not a 422: the dossier itself is
 * valid, this caller is just not allowed to file it. Pure, so it is unit-tested without a server.
 */
public final class ApplicantCheck {
  private ApplicantCheck() {
  }

  /**
   * Empty when there is no token, or the applicant has no citizen ID (a business), or they match. Compared in
   * constant time: the answer must not tell how close a forged ID came.
   */
  public static Optional<HttpFailure> check(Optional<String> citizenFromToken, String citizenIdInBody) {
    if (citizenFromToken.isEmpty() || citizenIdInBody == null || citizenIdInBody.isEmpty()
        || MessageDigest.isEqual(citizenFromToken.get().getBytes(StandardCharsets.UTF_8),
        citizenIdInBody.getBytes(StandardCharsets.UTF_8))) {
      return Optional.empty();
    }
    return Optional.of(HttpFailure.forbidden(Problem.APPLICANT_MISMATCH,
        "applicant.citizenId is not the citizen identified by the bearer token; a citizen may only file dossiers "
            + "in their own name"));
  }
}
