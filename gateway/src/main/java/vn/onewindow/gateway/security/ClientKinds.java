package vn.onewindow.gateway.security;

import io.vertx.ext.web.RoutingContext;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.Problem;

/**
 * Router steps that keep each kind of client to its part: frontends submit dossiers and follow their own changes,
 * agency systems read their feeds and report progress. The wrong kind gets 403 {@code client-kind-not-allowed}:
 * the routes are public in the contract, so saying "not with this key" hides nothing and tells an integrator at
 * once which key to use. (A dossier outside an agency's coverage is a 404 instead: its existence is not public.)
 */
public final class ClientKinds {
  private ClientKinds() {
  }

  /** Step: only frontend clients (submitting dossiers, the change feed). */
  public static void frontendOnly(RoutingContext ctx) {
    if (Caller.of(ctx).isAgency()) {
      Authentication.failEarly(ctx, HttpFailure.forbidden(Problem.CLIENT_KIND_NOT_ALLOWED,
          "agency systems cannot " + what(ctx) + "; this route is for frontend clients (portal, apps, kiosks, "
              + "counters)"));
      return;
    }
    ctx.next();
  }

  /**
   * Step: only callers with a secret key (the change feed). The feed lists every dossier the client submitted, with
   * ids that open their full views and the agencies' notes to the applicants: a key that ships in browser pages or
   * apps (one of the client's {@code publicKeyHashes} in the clients file) must not read it. A caller with such a key
   * still follows each dossier it submitted by the id its 202 gave; the client's backend reads the feed with its secret
   * key.
   */
  public static void secretKeyOnly(RoutingContext ctx) {
    if (Caller.of(ctx).client().publicKey()) {
      Authentication.failEarly(ctx, HttpFailure.forbidden(Problem.CLIENT_KIND_NOT_ALLOWED,
          "this key is public (it ships in browser pages or apps: one of the client's publicKeyHashes in the "
              + "clients file), so it cannot " + what(ctx) + "; that takes the client's secret key, which only its "
              + "servers hold (such as the portal's notification service)"));
      return;
    }
    ctx.next();
  }

  /** Step: only agency systems (agency feeds, progress events). */
  public static void agencyOnly(RoutingContext ctx) {
    if (!Caller.of(ctx).isAgency()) {
      Authentication.failEarly(ctx, HttpFailure.forbidden(Problem.CLIENT_KIND_NOT_ALLOWED,
          "this route is for agency systems (clients of kind \"agency\"); a frontend key cannot " + what(ctx)));
      return;
    }
    ctx.next();
  }

  private static String what(RoutingContext ctx) {
    String path = ctx.request().path();
    if (path.startsWith("/v1/agencies/")) {
      return "read an agency feed";
    }
    if (path.endsWith("/events")) {
      return "report progress events";
    }
    if (path.endsWith("/rating")) {
      return "rate dossiers";
    }
    return path.startsWith("/v1/changes") ? "read the change feed" : "submit dossiers";
  }
}
