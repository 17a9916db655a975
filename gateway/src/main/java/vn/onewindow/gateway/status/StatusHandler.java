package vn.onewindow.gateway.status;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.UUID;
import vn.onewindow.common.dossier.DossierCode;
import vn.onewindow.common.http.HeadRequests;
import vn.onewindow.gateway.http.DossierIds;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.QueryParams;
import vn.onewindow.gateway.security.Caller;
import vn.onewindow.gateway.security.Owners;

/**
 * GET /v1/dossiers/{id}, and GET /v1/dossiers?code= for the code on the citizen's receipt. An id that is not a UUID,
 * or a code not in the code's form, cannot exist: 404 without touching a store. A dossier the caller may not see is
 * also a 404, indistinguishable from one that does not exist. Frontends and citizens get the citizen's view; an
 * agency system covering the dossier's handling agency gets the agency's view.
 */
public final class StatusHandler {
  private static final String NO_SUCH_CODE = "no dossier with this code has been recorded (a dossier is found by its "
      + "code once recorded, normally within a second of its 202; by its id at once)";
  private static final int MAX_CODE_LENGTH = 64;

  private final DossierStatusReader reader;

  public StatusHandler(DossierStatusReader reader) {
    this.reader = reader;
  }

  public void handle(RoutingContext ctx) {
    answer(ctx, Future.succeededFuture(ctx.pathParam("id")).map(DossierIds::parse).compose(reader::find),
        "no dossier with this id");
  }

  /** GET /v1/dossiers?code=: a kiosk's or a citizen's receipt holds the code, not the id. */
  public void byCode(RoutingContext ctx) {
    answer(ctx, Future.succeededFuture(QueryParams.single(ctx, "code"))
        .map(code -> {
          if (code == null || code.isEmpty()) {
            throw HttpFailure.malformed("give the dossier's code: ?code=<code on the receipt>");
          }
          if (code.length() > MAX_CODE_LENGTH || !DossierCode.PATTERN.matcher(code).matches()) {
            throw HttpFailure.notFound(NO_SUCH_CODE);
          }
          return code;
        })
        .compose(reader::findRecorded), NO_SUCH_CODE);
  }

  private void answer(RoutingContext ctx, Future<Optional<DossierStatusReader.DossierView>> found, String notFound) {
    Caller caller = Caller.of(ctx);
    found
        .map(view -> view
            .filter(v -> Owners.mayRead(caller, v.ownerClient(), v.applicantHash(), v.handlingAgency()))
            .orElseThrow(() -> HttpFailure.notFound(notFound)))
        .compose(view -> caller.isAgency()
            ? reader.withAgencyDetails(UUID.fromString(view.body().getString("id")), view)
            : Future.succeededFuture(view))
        .onSuccess(view -> {
          ctx.response()
              .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
          HeadRequests.end(ctx, view.body().encode());
        })
        .onFailure(ctx::fail);
  }
}
