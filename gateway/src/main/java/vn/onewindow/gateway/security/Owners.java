package vn.onewindow.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import vn.onewindow.common.infra.Digests;

/**
 * Who may see what of a dossier ({@link #visibility}): the applicant proven by a verified citizen token, the frontend
 * client that submitted it by its id, any frontend its public progress by its code, and the agency systems covering
 * its handling agency. Anyone else is told the dossier does not exist (404), so ids cannot be probed for existence.
 */
public final class Owners {
  private Owners() {
  }

  /** SHA-256 of a citizen ID (empty string when there is none), as kept next to a queued receipt. */
  public static String applicantHash(String citizenId) {
    return citizenId == null || citizenId.isEmpty() ? "" : Digests.sha256Hex(citizenId);
  }

  /**
   * Whose budget a submission spends in the per-applicant rate limit: a stable key of the applicant (citizen ID or tax
   * code), so that the limiter's keys do not spell the ID, and of how the caller knows them. A dossier in the name of
   * the citizen whose token came with it (ApplicantCheck refused any other) spends the citizen's own budget, on every
   * client. Any other is unproven: anyone with a publishable key (in every browser and app) can name any citizen, so it
   * spends a budget of its client's alone, and junk filed in a citizen's name through one client cannot lock them out
   * of their signed-in submissions or of another client (a kiosk, a backend). So an applicant has up to one budget per
   * client and one of their own. The hash is no secret: an unsalted hash of a 12-digit ID can be found by trying them
   * all, and the queued payload next to it in Redis holds the ID anyway; Redis is protected as the payload store it is.
   */
  public static String applicantKey(com.fasterxml.jackson.databind.JsonNode applicant, Caller caller) {
    String citizen = applicant.path("citizenId").asText("");
    String business = applicant.path("taxCode").asText("");
    if (citizen.isEmpty() && business.isEmpty()) {
      return "";
    }
    String hashed = applicantHash(citizen.isEmpty() ? "business:" + business : "citizen:" + citizen).substring(0, 32);
    boolean proven = !citizen.isEmpty() && caller.citizenId().isPresent();
    return proven ? hashed : hashed + ":" + caller.clientId();
  }

  /** How a status look-up named the dossier: what knowing that name proves about the caller. */
  public enum Lookup {
    /**
     * By its id: 62 - log2(P) bits of it are random (Partitions#newDossierId), and only the submitting client's 202
     * named it (Location, statusUrl), so holding it is the submitter's capability.
     */
    BY_ID,
    /**
     * By the code on the receipt: {@code <unit>-YYMMDD-NNNN}, sequential by law, so anyone can enumerate codes;
     * knowing one proves nothing.
     */
    BY_CODE
  }

  /** Which view of a dossier's status a caller gets; {@link #HIDDEN} is the 404 of an unknown dossier. */
  public enum Visibility {
    HIDDEN,
    /** The national portal's public "tra cứu hồ sơ": progress only, nothing personal (DossierViews#publicProgress). */
    PUBLIC_PROGRESS,
    /** The citizen's view: history with the agency's notes, appointment dates, result references. */
    CITIZEN,
    /** The citizen's view plus the submission and every event, officers included. */
    AGENCY
  }

  /**
   * The status rule (README "Security"). An agency system reads by coverage alone (a citizen token sent through it
   * changes nothing: it would otherwise open the agency's view, officers included, to a citizen). A frontend with a
   * verified citizen token reads that citizen's dossiers only, whoever submitted them, and no other citizen's, not
   * even among its own submissions: the token says who is asking; a dossier without a citizen applicant (a company's)
   * it reads by id as the submitter, as without the token. Without a token a frontend's key proves little (the portal's is in
   * every browser), so a code alone opens only public progress, to any frontend, and the id opens the citizen's view
   * to the client it was given to.
   */
  public static Visibility visibility(Caller caller, Lookup lookup, String ownerClient, String applicantHash,
                                      String handlingAgency) {
    if (caller.isAgency()) {
      return caller.covers(handlingAgency) ? Visibility.AGENCY : Visibility.HIDDEN;
    }
    if (caller.citizenId().isPresent()) {
      if (isApplicant(caller.citizenId().get(), applicantHash)) {
        return Visibility.CITIZEN;
      }
      // a dossier with no citizen applicant (a company's, filed by a signed-in citizen for it) is no citizen's to
      // claim: its id, the submitter's capability, opens it to the submitting client as it would without the token
      return lookup == Lookup.BY_ID && !hasCitizenApplicant(applicantHash) && caller.clientId().equals(ownerClient)
          ? Visibility.CITIZEN : Visibility.HIDDEN;
    }
    if (lookup == Lookup.BY_CODE) {
      return Visibility.PUBLIC_PROGRESS;
    }
    return caller.clientId().equals(ownerClient) ? Visibility.CITIZEN : Visibility.HIDDEN;
  }

  private static boolean hasCitizenApplicant(String applicantHash) {
    return applicantHash != null && !applicantHash.isEmpty();
  }

  /** Compared in constant time; a dossier without a citizen applicant (a business, an unreadable one) is no one's. */
  private static boolean isApplicant(String citizenId, String applicantHash) {
    return hasCitizenApplicant(applicantHash)
        && MessageDigest.isEqual(applicantHash(citizenId).getBytes(StandardCharsets.US_ASCII),
        applicantHash.getBytes(StandardCharsets.US_ASCII));
  }
}
