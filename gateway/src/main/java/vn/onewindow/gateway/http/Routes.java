package vn.onewindow.gateway.http;

/** The paths of the public API, named once for the router, status links and outcome counting. */
public final class Routes {
  /** POST: submit a dossier. GET ?code=: find one by the code on its receipt. */
  public static final String DOSSIERS = "/v1/dossiers";
  /** GET: a dossier's status. */
  public static final String DOSSIER = DOSSIERS + "/:id";
  /** POST: the applicant's satisfaction survey, once the result was returned. */
  public static final String DOSSIER_RATING = DOSSIER + "/rating";
  /** GET: the procedure catalogue, one procedure, and the due date a dossier received at a given time would get. */
  public static final String PROCEDURES = "/v1/procedures";
  public static final String PROCEDURE = PROCEDURES + "/:code";
  public static final String PROCEDURE_DUE_DATE = PROCEDURE + "/due-date";
  /** POST (agency systems): a progress event of one dossier. */
  public static final String EVENTS = DOSSIER + "/events";
  /** GET (agency systems): the dossiers routed to one handling agency, in feed order. */
  public static final String AGENCY_FEED = "/v1/agencies/:agencyCode/dossiers";
  /** GET (frontends): status changes of the dossiers the calling client submitted, in feed order. */
  public static final String CHANGES = "/v1/changes";
  /** GET: an agency's timeliness and satisfaction figures over a period. */
  public static final String STATS_TIMELINESS = "/v1/stats/timeliness";
  /** GET: the same figures for each agency (or province) of a scope, ranked on time. */
  public static final String STATS_RANKING = STATS_TIMELINESS + "/ranking";
  /** Everything under it needs a registered client and counts against its rate limit. */
  public static final String API = "/v1/*";

  private Routes() {
  }

  /** The status path of one dossier. */
  public static String dossier(String dossierId) {
    return DOSSIERS + "/" + dossierId;
  }
}
