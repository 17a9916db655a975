package vn.onewindow.gateway.status;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.http.HeadRequests;
import vn.onewindow.gateway.http.DossierIds;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.JsonContent;
import vn.onewindow.gateway.http.QueryParams;
import vn.onewindow.gateway.security.Caller;
import vn.onewindow.gateway.security.Owners;
import vn.onewindow.gateway.security.Owners.Lookup;
import vn.onewindow.gateway.security.Owners.Visibility;
import vn.onewindow.gateway.status.DossierStatusReader.DossierView;

/**
 * GET /v1/dossiers/{id}, and GET /v1/dossiers?code= for the code on the citizen's receipt. An id that is not a UUID,
 * or a code not in the code's form, cannot exist: 404 without touching a store; a code longer than the contract's
 * maxLength is a 400. Which view a caller gets, if any, is
 * {@link Owners#visibility}'s rule: a frontend with a citizen token the citizen's view of that citizen's dossiers, a
 * frontend without one the citizen's view by id of its own submissions and the public progress by code, an agency
 * system covering the dossier's handling agency the agency's view. A dossier the caller may not see is a 404,
 * indistinguishable from one that does not exist. A code issued to a dossier still queued answers a frontend
 * without a citizen token as received ({@link #byCode}).
 */
public final class StatusHandler {
  private static final String NO_SUCH_CODE = "no dossier with this code (with a citizen token, or for an agency "
      + "system, a dossier is found by its code once it is recorded, normally within a second of its 202)";
  /** The code's maxLength in the contract (config/openapi.yaml). */
  private static final int MAX_CODE_LENGTH = 64;
  private static final String CODE_TOO_LONG = "code must be at most " + MAX_CODE_LENGTH + " characters long: give the "
      + "dossier's code exactly as on the receipt";

  private final DossierStatusReader reader;
  private final IssuedCodes issued;

  public StatusHandler(DossierStatusReader reader, IssuedCodes issued) {
    this.reader = reader;
    this.issued = issued;
  }

  public void handle(RoutingContext ctx) {
    Caller caller = Caller.of(ctx);
    answer(ctx, Future.succeededFuture(ctx.pathParam("id")).map(DossierIds::parse).compose(reader::find)
        .compose(found -> visible(caller, Lookup.BY_ID, found, "no dossier with this id")));
  }

  /**
   * GET /v1/dossiers?code=: a kiosk's or a citizen's receipt holds the code, not the id. A code PostgreSQL does not
   * hold but the hub issued is a dossier still queued: whoever would get its public progress view once it is recorded
   * (a frontend without a citizen token) gets the received view meanwhile ({@link DossierViews#received}: code, status
   * 1, persisted false; nothing more is readable by code yet), so that a citizen holding the receipt does not file
   * again. The others get the 404 until it is recorded: which citizen filed it, or which agency handles it, is in the
   * queued entry, which only the id names.
   */
  public void byCode(RoutingContext ctx) {
    Caller caller = Caller.of(ctx);
    boolean publicProgress = Owners.visibility(caller, Lookup.BY_CODE, null, null, null) == Visibility.PUBLIC_PROGRESS;
    answer(ctx, Future.succeededFuture(QueryParams.single(ctx, "code"))
        .map(StatusHandler::validCode)
        .compose(code -> reader.findRecorded(code).compose(found -> found.isPresent() || !publicProgress
            ? visible(caller, Lookup.BY_CODE, found, NO_SUCH_CODE)
            : issued.notYetRecorded(code).map(view -> view.orElseThrow(() -> HttpFailure.notFound(NO_SUCH_CODE))))));
  }

  private static String validCode(String code) {
    if (code == null || code.isBlank()) {
      throw HttpFailure.malformed("give the dossier's code: ?code=<code on the receipt>");
    }
    // the contract's maxLength (code points, as JSON Schema counts): past it the request is invalid, a 400 as
    // for a bad limit or date, not the 404 of a code never recorded; within it, a code not in the code's form
    // cannot exist
    if (code.length() > MAX_CODE_LENGTH && code.codePointCount(0, code.length()) > MAX_CODE_LENGTH) {
      throw HttpFailure.malformed(CODE_TOO_LONG);
    }
    // as typed from the paper receipt at a kiosk or on a phone: spaces around it and the province letter in lower
    // case name the same dossier (a 404 there tells the citizen to file again); a code has no other letter
    String typed = code.strip().toUpperCase(Locale.ROOT);
    if (!DossierCode.PATTERN.matcher(typed).matches()) {
      throw HttpFailure.notFound(NO_SUCH_CODE);
    }
    return typed;
  }

  private static void answer(RoutingContext ctx, Future<JsonObject> body) {
    body.onSuccess(view -> {
          ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JsonContent.CONTENT_TYPE);
          HeadRequests.end(ctx, view.encode());
        })
        .onFailure(ctx::fail);
  }

  private Future<JsonObject> visible(Caller caller, Lookup lookup, Optional<DossierView> found, String notFound) {
    if (found.isEmpty()) {
      return Future.failedFuture(HttpFailure.notFound(notFound));
    }
    DossierView view = found.get();
    return body(view, Owners.visibility(caller, lookup, view.ownerClient(), view.applicantHash(),
        view.handlingAgency()), notFound);
  }

  private Future<JsonObject> body(DossierView view, Visibility visibility, String notFound) {
    return switch (visibility) {
      case HIDDEN -> Future.failedFuture(HttpFailure.notFound(notFound));
      case PUBLIC_PROGRESS -> Future.succeededFuture(DossierViews.publicProgress(view.body()));
      case CITIZEN -> Future.succeededFuture(view.body());
      case AGENCY -> reader.withAgencyDetails(UUID.fromString(view.body().getString("id")), view)
          .map(DossierView::body);
    };
  }
}
