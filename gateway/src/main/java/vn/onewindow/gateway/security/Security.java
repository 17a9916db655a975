package vn.onewindow.gateway.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.SecurityConfig;
import vn.onewindow.common.privacy.PersonalData;
import vn.onewindow.common.config.SecurityConfig.CitizenToken;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * Everything the gateway needs to know about who is calling. The router and the server options go through this
 * facade, so the rest of the gateway only ever asks {@link #client}, {@link #clientId} and {@link #citizenId}.
 *
 * <p>Frontends authenticate with {@code X-Api-Key} (hashes in clients.json); a citizen may add a bearer JWT from
 * the national sign-in. Every refusal is a problem: 401 for a missing or bad credential (the same answer whatever
 * was wrong, so nothing helps guessing), 403 for a browser origin not allowed or a dossier in someone else's name.
 */
public final class Security {
  /** The client of calls without a key when {@code security.require-api-key=false}. */
  public static final String ANONYMOUS_CLIENT = "public";
  public static final String API_KEY_HEADER = "X-Api-Key";
  static final String CLIENT_KEY = "security.client";
  static final String CITIZEN_KEY = "security.citizen";
  private static final String API_KEY_CHALLENGE = "ApiKey";
  private static final Logger LOG = LoggerFactory.getLogger(Security.class);

  private final SecurityConfig config;
  private final ClientRegistry clients;
  private final CitizenTokens tokens;
  private final EdgeHandlers edge;

  private Security(SecurityConfig config, ClientRegistry clients, CitizenTokens tokens) {
    this.config = config;
    this.clients = clients;
    this.tokens = tokens;
    this.edge = new EdgeHandlers(config);
  }

  /** Builds the facade once per gateway verticle; blocking work (reading key files) is allowed here. */
  public static Security create(Vertx vertx, SecurityConfig config) {
    ClientRegistry clients = ClientRegistry.load(config.clientsFile());
    boolean verifying = config.citizenToken() != CitizenToken.OFF && config.jwt().configured();
    CitizenTokens tokens = verifying ? CitizenTokens.create(vertx, config.jwt()) : null;
    LOG.info("security: {} clients from {}, API key {}, citizen tokens {}{}, TLS {}, CORS origins {}",
        clients.size(), clients.location(), config.requireApiKey() ? "required" : "optional (anonymous allowed)",
        config.citizenToken().name().toLowerCase(Locale.ROOT),
        config.citizenToken() == CitizenToken.OPTIONAL && !verifying
            ? " (no security.jwt.* configured: bearer tokens are refused)" : "",
        config.tls().enabled() ? "on (HTTP/2 via ALPN)" : "OFF (terminate TLS in front of this gateway)",
        config.corsAllowedOrigins());
    return new Security(config, clients, tokens);
  }

  /** TLS with ALPN (h2, http/1.1), header size and line limits, idle timeout. Apply last: it owns these settings. */
  public HttpServerOptions applyTo(HttpServerOptions options) {
    options.setMaxHeaderSize(config.codecMaxHeaderBytes())
        .setMaxInitialLineLength(config.maxInitialLineBytes())
        .setIdleTimeout((int) config.idleTimeout().toSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    options.getInitialSettings().setMaxHeaderListSize(config.codecMaxHeaderBytes());
    if (config.tls().enabled()) {
      options.setSsl(true)
          .setKeyCertOptions(new PemKeyCertOptions()
              .setCertPath(config.tls().certFile())
              .setKeyPath(config.tls().keyFile()))
          .setUseAlpn(true)
          .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
          .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
          .setSslHandshakeTimeout(10)
          .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    }
    return options;
  }

  /** Router-wide handlers that run before every route: security headers, request limits, CORS, deadline. */
  public void installEdgeHandlers(Router router) {
    router.route().handler(edge::securityHeaders);
    router.route().handler(edge::requestLimits);
    router.route().handler(edge::cors);
    router.route().handler(edge::deadline);
  }

  /**
   * For {@code HttpServer.invalidRequestHandler}: requests the HTTP codec rejected (request line too long, garbled)
   * go through the router too, so they get the same problem+json answer and security headers as everything else;
   * the connection is closed after the answer. A header block over the codec limit keeps Vert.x's bare 431: the
   * codec dropped its headers (Host included), so the router could only call it a 400.
   */
  public Handler<HttpServerRequest> invalidRequestHandler(Router router) {
    return request -> {
      if (request.decoderResult().cause() instanceof TooLongHttpHeaderException) {
        HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request);
      } else {
        router.handle(request);
      }
    };
  }

  /** Authenticates the calling frontend on API routes; fails the context with 401 when it cannot. */
  public Handler<RoutingContext> authenticateClient() {
    return ctx -> {
      List<String> keys = ctx.request().headers().getAll(API_KEY_HEADER);
      if (keys.isEmpty() && !config.requireApiKey()) {
        ctx.put(CLIENT_KEY, Client.ANONYMOUS);
        ctx.next();
        return;
      }
      Optional<Client> client = keys.size() == 1 ? clients.authenticate(keys.get(0)) : Optional.empty();
      if (client.isEmpty()) {
        failEarly(ctx, HttpFailure.unauthorized(API_KEY_CHALLENGE,
            "this API needs the " + API_KEY_HEADER + " of a registered client"));
        return;
      }
      ctx.put(CLIENT_KEY, client.get());
      ctx.next();
    };
  }

  /** Verifies a citizen's bearer token when present (and requires one when configured). */
  public Handler<RoutingContext> authenticateCitizen() {
    return ctx -> {
      if (config.citizenToken() == CitizenToken.OFF) {
        ctx.next();
        return;
      }
      List<String> authorizations = ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION);
      if (authorizations.isEmpty()) {
        if (config.citizenToken() == CitizenToken.REQUIRED) {
          failEarly(ctx, HttpFailure.unauthorized(bearerChallenge(null),
              "this API needs a citizen token from the national sign-in (Authorization: Bearer)"));
        } else {
          ctx.next();
        }
        return;
      }
      String token = authorizations.size() == 1 ? bearerToken(authorizations.get(0)) : null;
      if (token == null || tokens == null) {
        rejectToken(ctx, token == null ? "not a single Bearer credential" : "no verifier configured");
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
          ctx.put(CITIZEN_KEY, verified.result());
          ctx.next();
        } else {
          rejectToken(ctx, verified.cause().getMessage());
        }
      });
    };
  }

  /**
   * For the submit handler, once the body is parsed: {@link ApplicantCheck} against the citizen of this request's
   * verified token (a dossier sent with a citizen token must be in that citizen's name).
   */
  public static Optional<HttpFailure> checkApplicant(RoutingContext ctx, String citizenIdFromBody) {
    return ApplicantCheck.check(citizenId(ctx).orElse(null), citizenIdFromBody);
  }

  /**
   * For the submit handler, right after parsing: refuses what the parser accepts but the hub cannot keep verbatim
   * (bytes that are not strict UTF-8, a byte order mark: 400; unpaired surrogate escapes, numbers beyond a double's
   * range: 422 naming the fields). See {@link PayloadGuard}.
   */
  public static Optional<HttpFailure> checkBody(byte[] body, JsonNode dossier) {
    return PayloadGuard.check(body, dossier);
  }

  /** The authenticated frontend of this request ({@link Client#ANONYMOUS} before or without authentication). */
  public static Client client(RoutingContext ctx) {
    Client client = ctx.get(CLIENT_KEY);
    return client == null ? Client.ANONYMOUS : client;
  }

  /** The authenticated frontend client of this request. */
  public static String clientId(RoutingContext ctx) {
    return client(ctx).id();
  }

  /** The rate-limit quota class of the calling client. */
  public static String quotaClass(RoutingContext ctx) {
    return client(ctx).quotaClass();
  }

  /** The citizen ID proven by a verified token, if the request carried one. */
  public static Optional<String> citizenId(RoutingContext ctx) {
    return Optional.ofNullable(ctx.get(CITIZEN_KEY));
  }

  /**
   * Fails before the body was read: asks HTTP/1.x clients to close the connection rather than keep streaming a body
   * nobody will read (the rest of it is discarded, never buffered).
   */
  static void failEarly(RoutingContext ctx, HttpFailure failure) {
    if (!ctx.request().isEnded() && ctx.request().version() != HttpVersion.HTTP_2) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    ctx.fail(failure);
  }

  private void rejectToken(RoutingContext ctx, String reason) {
    LOG.debug("citizen token refused: {}", PersonalData.maskFreeText(reason));
    failEarly(ctx, HttpFailure.unauthorized(bearerChallenge("invalid_token"),
        "the citizen token is invalid or expired; sign in again"));
  }

  private String bearerChallenge(String error) {
    String realm = "Bearer realm=\"onewindow\"";
    return error == null ? realm : realm + ", error=\"" + error + "\"";
  }

  /** The token of {@code Bearer <token>} (scheme case-insensitive, RFC 7235), or null. */
  private static String bearerToken(String authorization) {
    if (authorization.length() < 8 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = authorization.substring(7).strip();
    return token.isEmpty() ? null : token;
  }
}
