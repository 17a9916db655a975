package vn.onewindow.gateway.status;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.security.Caller;
import vn.onewindow.gateway.security.Owners;

/**
 * GET /v1/dossiers/{id}. An id that is not a UUID cannot exist: 404 without touching a store. A dossier the caller
 * may not see is also a 404, indistinguishable from one that does not exist.
 */
public final class StatusHandler {
  private final DossierStatusReader reader;

  public StatusHandler(DossierStatusReader reader) {
    this.reader = reader;
  }

  public void handle(RoutingContext ctx) {
    String raw = ctx.pathParam("id");
    Future.succeededFuture(raw)
        .map(StatusHandler::parseId)
        .compose(reader::find)
        .map(found -> found
            .filter(view -> Owners.mayRead(Caller.of(ctx), view.ownerClient(), view.applicantHash()))
            .orElseThrow(() -> HttpFailure.notFound("no dossier with this id")))
        .onSuccess(view -> ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
            .end(view.body().encode()))
        .onFailure(ctx::fail);
  }

  private static UUID parseId(String raw) {
    try {
      UUID id = UUID.fromString(raw);
      if (!id.toString().equalsIgnoreCase(raw)) {
        throw new IllegalArgumentException();
      }
      return id;
    } catch (IllegalArgumentException e) {
      throw HttpFailure.notFound("no dossier with this id");
    }
  }
}
