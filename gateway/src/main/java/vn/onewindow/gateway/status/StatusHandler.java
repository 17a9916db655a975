package vn.onewindow.gateway.status;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import vn.onewindow.common.http.HeadRequests;
import vn.onewindow.gateway.http.DossierIds;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.security.Caller;
import vn.onewindow.gateway.security.Owners;

/**
 * GET /v1/dossiers/{id}. An id that is not a UUID cannot exist: 404 without touching a store. A dossier the caller
 * may not see is also a 404, indistinguishable from one that does not exist. Frontends and citizens get the
 * citizen's view; an agency system covering the dossier's handling agency gets the agency's view.
 */
public final class StatusHandler {
  private final DossierStatusReader reader;

  public StatusHandler(DossierStatusReader reader) {
    this.reader = reader;
  }

  public void handle(RoutingContext ctx) {
    Caller caller = Caller.of(ctx);
    Future.succeededFuture(ctx.pathParam("id"))
        .map(DossierIds::parse)
        .compose(id -> reader.find(id)
            .map(found -> found
                .filter(view -> Owners.mayRead(caller, view.ownerClient(), view.applicantHash(), view.handlingAgency()))
                .orElseThrow(() -> HttpFailure.notFound("no dossier with this id")))
            .compose(view -> caller.isAgency() ? reader.withAgencyDetails(id, view) : Future.succeededFuture(view)))
        .onSuccess(view -> {
          ctx.response()
              .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
          HeadRequests.end(ctx, view.body().encode());
        })
        .onFailure(ctx::fail);
  }
}
