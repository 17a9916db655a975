package vn.onewindow.hub;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load as independent citizens send it through a well-behaved portal: new dossiers arrive at a fixed rate (open
 * loop: a failing shard does not slow the arrivals), every one with its own Idempotency-Key and receiving unit (so
 * every partition gets some), round-robin over several gateways. A 503 or a broken connection is retried with the
 * same key and body after the answer's Retry-After (at least {@link #MIN_RETRY_PAUSE_MS}) until the 202. Records each
 * key's final receipt, the retries by problem type, the longest time no 202 arrived at all (stall) and the longest a
 * single dossier waited for its 202.
 */
final class RetryingLoad {
  static final long MIN_RETRY_PAUSE_MS = 200;
  private static final long TICK_MS = 20;

  /** The receipt a key finally got. */
  record Accepted(String key, String id, String code) {
  }

  final Map<String, Accepted> accepted = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> retriesByProblem = new ConcurrentHashMap<>();
  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger unexpected = new AtomicInteger();
  final AtomicLong longestStallMs = new AtomicLong();
  final AtomicLong longestWaitMs = new AtomicLong();
  private final AtomicLong lastAcceptedNanos = new AtomicLong();
  private final AtomicInteger sequence = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final Vertx vertx;
  private final WebClient client;
  private final List<Integer> ports;
  private final int units;
  private final String runId = Long.toHexString(System.nanoTime());
  private final Promise<Void> done = Promise.promise();
  private long timer = -1;
  private double due;

  RetryingLoad(Vertx vertx, List<Integer> ports, int units) {
    this.vertx = vertx;
    this.ports = ports;
    this.units = units;
    this.client = WebClient.create(vertx, new WebClientOptions(new HttpClientOptions().setConnectTimeout(2000))
        .setIdleTimeout(5), new PoolOptions().setHttp1MaxSize(64));
  }

  /** The shipped agency directory plus every unit code of {@link #unit} below 20,000, written once per JVM. */
  static final java.nio.file.Path UNITS_DIRECTORY =
      vn.onewindow.common.testing.TestAgencies.withUnits(RetryingLoad::unit, 20_000);

  /** The receiving unit of the n-th dossier: many units, so every partition gets some. */
  static String unit(int n) {
    return String.format("000.%02d.%02d.H%02d", n / 100 % 100, n % 100, 10 + n / 10_000 % 90);
  }

  /** Starts {@code perSecond} new dossiers a second until {@link #stop}; completes once every one got its 202. */
  Future<Void> start(int perSecond) {
    lastAcceptedNanos.set(System.nanoTime());
    timer = vertx.setPeriodic(TICK_MS, id -> {
      due += perSecond * TICK_MS / 1000.0;
      for (; due >= 1; due--) {
        next();
      }
    });
    return done.future();
  }

  /**
   * Stops new arrivals. The start future completes once every dossier being retried got its 202: one given up on
   * could still be stored, and reconciliation would not know it.
   */
  void stop() {
    vertx.cancelTimer(timer);
    vertx.runOnContext(v -> completeWhenSettled());
  }

  private void completeWhenSettled() {
    if (open.get() == 0) {
      done.tryComplete();
    } else {
      vertx.setTimer(MIN_RETRY_PAUSE_MS, id -> completeWhenSettled());
    }
  }

  private void next() {
    int n = sequence.incrementAndGet();
    JsonObject dossier = new JsonObject(HubEndToEndTest.withApplicant(HubEndToEndTest.example("birth-registration.json"),
        900_000 + n)).put("receivingUnit", unit(n % units));
    open.incrementAndGet();
    send("load-" + runId + "-" + n, dossier.encode(), n, 0, System.nanoTime());
  }

  private void send(String key, String body, int n, int attempt, long firstSent) {
    requests.incrementAndGet();
    int port = ports.get(Math.floorMod(n + attempt, ports.size()));
    client.post(port, "127.0.0.1", "/v1/dossiers").putHeader("Content-Type", "application/json")
        .putHeader("X-Api-Key", HubEndToEndTest.API_KEY).putHeader("Idempotency-Key", key)
        .sendBuffer(Buffer.buffer(body))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result().statusCode() == 202) {
            accept(key, ar.result(), firstSent);
            open.decrementAndGet();
          } else if (ar.failed() || ar.result().statusCode() == 503) {
            String why = ar.failed() ? "connection: " + ar.cause().getClass().getSimpleName() : problem(ar.result());
            retriesByProblem.computeIfAbsent(why, k -> new AtomicInteger()).incrementAndGet();
            vertx.setTimer(retryPauseMs(ar.failed() ? null : ar.result()),
                id -> send(key, body, n, attempt + 1, firstSent));
          } else {
            unexpected.incrementAndGet();
            retriesByProblem.computeIfAbsent("unexpected " + ar.result().statusCode() + " " + problem(ar.result()),
                k -> new AtomicInteger()).incrementAndGet();
            open.decrementAndGet();
          }
        });
  }

  private static long retryPauseMs(HttpResponse<Buffer> response) {
    String retryAfter = response == null ? null : response.getHeader("Retry-After");
    return Math.max(MIN_RETRY_PAUSE_MS, retryAfter == null ? 0 : Long.parseLong(retryAfter) * 1000);
  }

  private void accept(String key, HttpResponse<Buffer> response, long firstSent) {
    long now = System.nanoTime();
    longestWaitMs.accumulateAndGet((now - firstSent) / 1_000_000, Math::max);
    JsonObject receipt = response.bodyAsJsonObject();
    Accepted previous = accepted.putIfAbsent(key, new Accepted(key, receipt.getString("id"), receipt.getString("code")));
    if (previous != null && !previous.id().equals(receipt.getString("id"))) {
      unexpected.incrementAndGet(); // one key, two receipts: never
    }
    long gapMs = (now - lastAcceptedNanos.getAndSet(now)) / 1_000_000;
    longestStallMs.accumulateAndGet(gapMs, Math::max);
  }

  private static String problem(HttpResponse<Buffer> response) {
    try {
      String type = response.bodyAsJsonObject().getString("type");
      return type.substring(type.lastIndexOf('/') + 1);
    } catch (RuntimeException notJson) {
      return "status " + response.statusCode();
    }
  }

  int retried() {
    return retriesByProblem.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  String figures() {
    return String.format("%d requests, %d dossiers accepted, %d retries %s, %d unexpected answers, longest stall %d ms, "
            + "longest wait of one dossier %d ms", requests.get(), accepted.size(), retried(), retriesByProblem,
        unexpected.get(), longestStallMs.get(), longestWaitMs.get());
  }
}
