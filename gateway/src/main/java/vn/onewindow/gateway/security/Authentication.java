package vn.onewindow.gateway.security;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.SecurityConfig;
import vn.onewindow.common.config.SecurityConfig.CitizenToken;
import vn.onewindow.common.privacy.PersonalData;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.Routes;
import vn.onewindow.gateway.http.UnreadBodies;
import vn.onewindow.gateway.warmup.Warmup;

/**
 * Who is calling, as two router steps: the frontend client ({@code X-Api-Key}, hashes in clients.json) and, when
 * present or required, the citizen's bearer JWT from the national sign-in. What they learn travels in the
 * request's {@link Caller}. Built once per process: every event loop shares the client registry and the JWK cache.
 *
 * <p>Every refusal is a 401 with the same answer whatever was wrong, so nothing helps guessing.
 */
public final class Authentication {
  public static final String API_KEY_HEADER = "X-Api-Key";
  private static final String API_KEY_CHALLENGE = "ApiKey";
  private static final Logger LOG = LoggerFactory.getLogger(Authentication.class);

  private final SecurityConfig config;
  private final ClientRegistry clients;
  private final CitizenTokens tokens;
  private final Warmup warmup;

  private Authentication(SecurityConfig config, ClientRegistry clients, CitizenTokens tokens, Warmup warmup) {
    this.config = config;
    this.clients = clients;
    this.tokens = tokens;
    this.warmup = warmup;
  }

  /** Reads the key material of citizen tokens: blocking, call once at start-up. */
  public static Authentication create(Vertx vertx, SecurityConfig config, ClientRegistry clients, Warmup warmup) {
    boolean verifying = config.citizenToken() != CitizenToken.OFF && config.jwt().configured();
    CitizenTokens tokens = verifying ? CitizenTokens.create(vertx, config.jwt()) : null;
    LOG.info("security: {} clients from {}, API key {}, citizen tokens {}{}, TLS {}, CORS origins {}, caller: {}",
        clients.size(), clients.location(), config.requireApiKey() ? "required" : "optional (anonymous allowed)",
        config.citizenToken().name().toLowerCase(Locale.ROOT),
        config.citizenToken() == CitizenToken.OPTIONAL && !verifying
            ? " (no security.jwt.* configured: bearer tokens are refused)" : "",
        config.tls().enabled() ? "on (HTTP/2 via ALPN)" : "OFF (terminate TLS in front of this gateway)",
        config.corsAllowedOrigins(), CallerAddress.describe(config.trustedProxies()));
    return new Authentication(config, clients, tokens, warmup);
  }

  /** Router step: authenticates the calling client; 401 when it cannot. */
  public void client(RoutingContext ctx) {
    if (warmup.admits(ctx)) {
      Caller.authenticated(ctx, Client.WARMUP);
      ctx.next();
      return;
    }
    List<String> keys = ctx.request().headers().getAll(API_KEY_HEADER);
    if (keys.isEmpty() && !config.requireApiKey()) {
      Caller.authenticated(ctx, Client.ANONYMOUS);
      ctx.next();
      return;
    }
    Optional<Client> client = keys.size() == 1 ? clients.authenticate(keys.get(0)) : Optional.empty();
    if (client.isEmpty()) {
      failEarly(ctx, HttpFailure.unauthorized(API_KEY_CHALLENGE,
          "this API needs the " + API_KEY_HEADER + " of a registered client"));
      return;
    }
    Caller.authenticated(ctx, client.get());
    ctx.next();
  }

  /** Router step: verifies a citizen's bearer token when present (and requires one when configured). */
  public void citizen(RoutingContext ctx) {
    // the warm-up is this process's own client, no citizen's: with tokens required, its submissions were all 401s
    // here and the pipeline past this step stayed cold
    if (config.citizenToken() == CitizenToken.OFF || Caller.of(ctx).isWarmup()) {
      ctx.next();
      return;
    }
    List<String> authorizations = ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION);
    if (authorizations.isEmpty()) {
      if (config.citizenToken() == CitizenToken.REQUIRED && citizensCall(ctx)) {
        failEarly(ctx, HttpFailure.unauthorized(bearerChallenge(null),
            "this API needs a citizen token from the national sign-in (Authorization: Bearer)"));
      } else {
        ctx.next();
      }
      return;
    }
    String token = authorizations.size() == 1 ? bearerToken(authorizations.get(0)) : null;
    if (token == null) {
      // another scheme (Basic...) or two credentials: no Bearer credential to judge, so no error code (RFC 6750
      // 3.1), and the client is told what to send
      failEarly(ctx, HttpFailure.unauthorized(bearerChallenge(null),
          "Authorization takes exactly one citizen token from the national sign-in, as Bearer <token>"));
      return;
    }
    if (token.isEmpty() || tokens == null) {
      rejectToken(ctx, token.isEmpty() ? "an empty Bearer credential" : "no verifier configured");
      return;
    }
    boolean paused = !ctx.request().isEnded();
    if (paused) {
      // Verification may complete later (a JWK Set fetch): hold the body for the BodyHandler meanwhile.
      ctx.request().pause();
    }
    tokens.verify(token).onComplete(verified -> {
      if (paused) {
        ctx.request().resume();
      }
      if (verified.succeeded()) {
        Caller.citizenVerified(ctx, verified.result());
        ctx.next();
      } else {
        rejectToken(ctx, CitizenTokens.reasonOf(verified.cause()));
      }
    });
  }

  /**
   * What "required" asks a token of: a frontend's calls on dossiers (submit, look-ups, rating), a citizen's own. An
   * agency system or the portal's backend following its change feed has no citizen to sign in, and the catalogue and
   * statistics name no one: required of them, agencies could not report progress without carrying some citizen's
   * token, which proves nothing (a JWT tryout). A token they do send is verified all the same.
   */
  private static boolean citizensCall(RoutingContext ctx) {
    // the path the router answers: the raw one spelled /v1/%64ossiers reached the submit route without a token
    String path = ctx.normalizedPath();
    return !Caller.of(ctx).isAgency()
        && (path.equals(Routes.DOSSIERS) || path.startsWith(Routes.DOSSIERS + "/"));
  }

  /** Fails before the body was read: the body is never read, and the connection closed after the answer. */
  static void failEarly(RoutingContext ctx, HttpFailure failure) {
    UnreadBodies.closeIfBodyUnread(ctx);
    ctx.fail(failure);
  }

  private void rejectToken(RoutingContext ctx, String reason) {
    LOG.debug("citizen token refused: {}", PersonalData.maskFreeText(reason));
    failEarly(ctx, HttpFailure.unauthorized(bearerChallenge("invalid_token"),
        "the citizen token is invalid or expired; sign in again"));
  }

  private static String bearerChallenge(String error) {
    String realm = "Bearer realm=\"onewindow\"";
    return error == null ? realm : realm + ", error=\"" + error + "\"";
  }

  /**
   * The credential of a Bearer authorization (scheme case-insensitive, RFC 7235; "" when it has none), or null for
   * another scheme.
   */
  private static String bearerToken(String authorization) {
    String[] parts = authorization.strip().split(" ", 2);
    if (!parts[0].equalsIgnoreCase("Bearer")) {
      return null;
    }
    return parts.length == 2 ? parts[1].strip() : "";
  }
}
