package vn.onewindow.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import vn.onewindow.common.infra.Digests;

/**
 * Who may see a dossier: the frontend client that submitted it, the applicant proven by a verified citizen token,
 * and the agency systems covering its handling agency. Anyone else is told the dossier does not exist (404), so ids
 * cannot be probed for existence.
 */
public final class Owners {
  private Owners() {
  }

  /** SHA-256 of a citizen ID (empty string when there is none), as kept next to a queued receipt. */
  public static String applicantHash(String citizenId) {
    return citizenId == null || citizenId.isEmpty() ? "" : Digests.sha256Hex(citizenId);
  }

  /**
   * Stable key of the applicant (citizen ID or tax code) for per-applicant rate limits, so that the limiter's keys do
   * not spell the ID. Not a secret: an unsalted hash of a 12-digit ID can be found by trying them all, and the queued
   * payload next to it in Redis holds the ID anyway; Redis is protected as the payload store it is.
   */
  public static String applicantKey(com.fasterxml.jackson.databind.JsonNode applicant) {
    String citizen = applicant.path("citizenId").asText("");
    String business = applicant.path("taxCode").asText("");
    if (citizen.isEmpty() && business.isEmpty()) {
      return "";
    }
    return applicantHash(citizen.isEmpty() ? "business:" + business : "citizen:" + citizen).substring(0, 32);
  }

  /**
   * An agency system reads by coverage alone (a citizen token sent through it changes nothing: it would otherwise
   * open the agency's view, officers included, to a citizen); a frontend by ownership or the applicant's token.
   */
  public static boolean mayRead(Caller caller, String ownerClient, String applicantHash, String handlingAgency) {
    if (caller.isAgency()) {
      return caller.covers(handlingAgency);
    }
    return mayRead(caller, ownerClient, applicantHash);
  }

  public static boolean mayRead(Caller caller, String ownerClient, String applicantHash) {
    if (caller.clientId().equals(ownerClient)) {
      return true;
    }
    Optional<String> citizen = caller.citizenId();
    return citizen.isPresent() && applicantHash != null && !applicantHash.isEmpty()
        && MessageDigest.isEqual(applicantHash(citizen.get()).getBytes(StandardCharsets.US_ASCII),
        applicantHash.getBytes(StandardCharsets.US_ASCII));
  }
}
