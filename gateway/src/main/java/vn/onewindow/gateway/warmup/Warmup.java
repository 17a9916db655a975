package vn.onewindow.gateway.warmup;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.WarmupConfig;
import vn.onewindow.common.http.Loopback;
import vn.onewindow.common.metrics.RequestOrigins;
import vn.onewindow.common.warmup.JitSettled;
import vn.onewindow.common.warmup.WarmupExamples;
import vn.onewindow.gateway.http.Idempotency;
import vn.onewindow.gateway.http.Routes;

/**
 * A new gateway process is cold exactly when it is added during a surge: its JIT has compiled nothing, its pools hold
 * no connection. Before it turns ready, it sends itself synthetic submissions (the shipped example dossiers) through
 * its real HTTP pipeline: edge hygiene, authentication, admission, parse, payload guard, schema and catalogue
 * validation, applicant check, receipt and due date. They carry a per-process random token that authenticates them
 * as the warm-up client, accepted only from loopback and only while warming; the enqueue step runs the enqueue
 * script in its read-only mode for a key of the warm-up's own (it finds nothing and writes nothing), renders the
 * receipt and answers 200 without queuing; no outcome, limit or latency metric counts them. Readiness answers 503
 * meanwhile. It stops at {@code warmup.duration-ms} or {@code warmup.max-requests}, or earlier once the JIT compiler
 * has settled ({@link JitSettled}: under 5% of the last second spent compiling), after at least {@link #MIN_REQUESTS}
 * submissions (the hot paths are then compiled; more warm-up only delays readiness). In a process that runs the
 * intake too, readiness also waits for the intake's own warm-up ({@link #holdUntil}).
 */
public final class Warmup {
  public static final String HEADER = RequestOrigins.WARMUP_HEADER;
  static final int MIN_REQUESTS = 5_000;
  /** A synthetic submission is answered in milliseconds: one that has seen no byte for this long is given up. */
  static final long REQUEST_IDLE_MS = 5_000;
  /** Past its deadline the warm-up waits this much longer for answers still due, then turns ready without them. */
  static final long STRAGGLER_GRACE_MS = 2_000;
  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);

  private final WarmupConfig config;
  private final byte[] token;
  /** Idempotency-Keys of the warm-up's own, never used by anyone: the script looks them up and finds nothing. */
  private final String keyPrefix;
  private final List<Buffer> bodies;
  private final AtomicBoolean warming = new AtomicBoolean();
  /** Something else of this process that must be warm before it is ready; complete unless {@link #holdUntil}. */
  private volatile Future<?> held = Future.succeededFuture();

  /** {@code attachmentUriPrefixes}: the storage attachments may be in (dossier.attachment-uri-prefixes). */
  public Warmup(WarmupConfig config, List<String> attachmentUriPrefixes) {
    this.config = config;
    SecureRandom random = new SecureRandom();
    this.token = randomHex(random, 32).getBytes(StandardCharsets.US_ASCII);
    this.keyPrefix = "hub-warmup-" + randomHex(random, 12) + "-";
    this.bodies = WarmupExamples.bodies().stream().map(body -> inStorage(body, attachmentUriPrefixes)).toList();
  }

  /**
   * The example with its attachments in the storage this gateway allows: production lists its own, where the
   * examples' are not, and every synthetic submission would then be a 422 that warms nothing past the validation (ops
   * QA). As shipped when the storage allows them.
   */
  private static Buffer inStorage(byte[] example, List<String> prefixes) {
    JsonObject body = new JsonObject(Buffer.buffer(example));
    JsonArray attachments = body.getJsonArray("attachments", new JsonArray());
    boolean moved = false;
    for (int i = 0; i < attachments.size(); i++) {
      JsonObject attachment = attachments.getJsonObject(i);
      String uri = attachment.getString("storageUri", "");
      if (prefixes.stream().noneMatch(uri::startsWith)) {
        attachment.put("storageUri", prefixes.get(0) + "warmup/" + uri.substring(uri.lastIndexOf('/') + 1));
        moved = true;
      }
    }
    return moved ? body.toBuffer() : Buffer.buffer(example);
  }

  /** Readiness stays DOWN from now until {@link #run} finished (no-op when warm-up is off). */
  public void begin() {
    warming.set(config.enabled());
  }

  /** Readiness also stays DOWN until {@code other} completed (the intake's warm-up and start in an `all` process). */
  public void holdUntil(Future<?> other) {
    held = other;
  }

  /** True while readiness must answer 503 "warming-up". */
  public boolean warming() {
    // a failed intake start is not ready either (the process is about to close)
    return warming.get() || !held.succeeded();
  }

  /** For authentication: a synthetic request of this process's own warm-up, while it lasts. */
  public boolean admits(RoutingContext ctx) {
    String presented = ctx.request().getHeader(HEADER);
    return presented != null && warming.get() && ctx.request().remoteAddress() != null
        && Loopback.isHost(ctx.request().remoteAddress().hostAddress())
        && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.US_ASCII));
  }

  /** Drives the pipeline on {@code port} for the configured duration or count, then turns readiness UP. */
  public Future<Void> run(Vertx vertx, int port, boolean tls) {
    if (!warming.get()) {
      return Future.succeededFuture();
    }
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
            .setDefaultPort(port).setSsl(tls).setTrustAll(tls).setVerifyHost(false),
        new PoolOptions().setHttp1MaxSize(config.concurrency()));
    long started = System.nanoTime();
    AtomicLong deadline = new AtomicLong(config.deadlineNanos(config.duration()));
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    AtomicInteger unexpected = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    long jitWatch = JitSettled.watch(vertx, sent::get, MIN_REQUESTS, () -> deadline.set(System.nanoTime()));
    AtomicInteger loops = new AtomicInteger(config.concurrency());
    // Readiness must never wait on one answer that does not come (a suite run once hung here for good): the deadline
    // can only move earlier, so its first value plus a grace bounds the whole warm-up.
    long hardStop = vertx.setTimer(Math.max(1, (deadline.get() - System.nanoTime()) / 1_000_000) + STRAGGLER_GRACE_MS,
        id -> {
          if (done.tryComplete()) {
            LOG.warn("warm-up: {} of {} request loops still waiting for an answer past its deadline;"
                + " ready without them", loops.get(), config.concurrency());
          }
        });
    for (int i = 0; i < config.concurrency(); i++) {
      next(client, deadline, sent, answered, unexpected, () -> {
        if (loops.decrementAndGet() == 0) {
          done.tryComplete();
        }
      });
    }
    return done.future()
        .onComplete(ignored -> {
          vertx.cancelTimer(jitWatch);
          vertx.cancelTimer(hardStop);
          client.close();   // not waited for either
          warming.set(false);
          long ms = (System.nanoTime() - started) / 1_000_000;
          if (unexpected.get() == 0) {
            LOG.info("warm-up: {} synthetic submissions answered in {} ms; ready", answered.get(), ms);
          } else {
            // ready all the same (a warm-up never holds a gateway back), but the path past the refusal is cold
            LOG.warn("warm-up: {} synthetic submissions answered in {} ms, {} of them not with the expected 200: the "
                + "pipeline past what refused them is not warmed; ready", answered.get(), ms, unexpected.get());
          }
        });
  }

  private void next(HttpClient client, AtomicLong deadline, AtomicInteger sent, AtomicInteger answered,
                    AtomicInteger unexpected, Runnable finished) {
    int n = sent.getAndIncrement();
    if (n >= config.maxRequests() || System.nanoTime() >= deadline.get()) {
      finished.run();
      return;
    }
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(Routes.DOSSIERS)
            .setConnectTimeout(REQUEST_IDLE_MS).setIdleTimeout(REQUEST_IDLE_MS)
            .putHeader("Content-Type", "application/json")
            .putHeader(Idempotency.KEY_HEADER, keyPrefix + n)
            .putHeader(HEADER, new String(token, StandardCharsets.US_ASCII)))
        .compose(request -> request.send(bodies.get(n % bodies.size())))
        .compose(response -> response.body().map(body -> response.statusCode()))
        .onComplete(ar -> {
          answered.incrementAndGet();
          if (ar.failed() || ar.result() != 200) {
            unexpected.incrementAndGet();
          }
          next(client, deadline, sent, answered, unexpected, finished);
        });
  }

  private static String randomHex(SecureRandom random, int bytes) {
    byte[] value = new byte[bytes];
    random.nextBytes(value);
    return HexFormat.of().formatHex(value);
  }
}
