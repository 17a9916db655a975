package vn.onewindow.gateway.status;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
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
 * indistinguishable from one that does not exist.
 */
public final class StatusHandler {
  private static final String NO_SUCH_CODE = "no dossier with this code has been recorded (a dossier is found by its "
      + "code once recorded, normally within a second of its 202; by its id at once)";
  /** The code's maxLength in the contract (config/openapi.yaml). */
  private static final int MAX_CODE_LENGTH = 64;
  private static final String CODE_TOO_LONG = "code must be at most " + MAX_CODE_LENGTH + " characters long: give the "
      + "dossier's code exactly as on the receipt";

  private final DossierStatusReader reader;

  public StatusHandler(DossierStatusReader reader) {
    this.reader = reader;
  }

  public void handle(RoutingContext ctx) {
    answer(ctx, Future.succeededFuture(ctx.pathParam("id")).map(DossierIds::parse).compose(reader::find),
        Lookup.BY_ID, "no dossier with this id");
  }

  /** GET /v1/dossiers?code=: a kiosk's or a citizen's receipt holds the code, not the id. */
  public void byCode(RoutingContext ctx) {
    answer(ctx, Future.succeededFuture(QueryParams.single(ctx, "code"))
        .map(code -> {
          if (code == null || code.isEmpty()) {
            throw HttpFailure.malformed("give the dossier's code: ?code=<code on the receipt>");
          }
          // the contract's maxLength (code points, as JSON Schema counts): past it the request is invalid, a 400 as
          // for a bad limit or date, not the 404 of a code never recorded; within it, a code not in the code's form
          // cannot exist
          if (code.length() > MAX_CODE_LENGTH && code.codePointCount(0, code.length()) > MAX_CODE_LENGTH) {
            throw HttpFailure.malformed(CODE_TOO_LONG);
          }
          if (!DossierCode.PATTERN.matcher(code).matches()) {
            throw HttpFailure.notFound(NO_SUCH_CODE);
          }
          return code;
        })
        .compose(reader::findRecorded), Lookup.BY_CODE, NO_SUCH_CODE);
  }

  private void answer(RoutingContext ctx, Future<Optional<DossierView>> found, Lookup lookup, String notFound) {
    Caller caller = Caller.of(ctx);
    found
        .map(view -> view.orElseThrow(() -> HttpFailure.notFound(notFound)))
        .compose(view -> body(view, Owners.visibility(caller, lookup, view.ownerClient(), view.applicantHash(),
            view.handlingAgency()), notFound))
        .onSuccess(body -> {
          ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JsonContent.CONTENT_TYPE);
          HeadRequests.end(ctx, body.encode());
        })
        .onFailure(ctx::fail);
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
