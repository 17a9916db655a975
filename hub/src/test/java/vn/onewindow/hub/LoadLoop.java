package vn.onewindow.hub;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.ConnectException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load on one hub: {@code concurrency} loops post dossiers (each from a different applicant) back to
 * back until stopped, or until the hub answers 503 with Connection: close (it is shutting down: a load balancer
 * would send elsewhere). Every answer is sorted: 202 (ids kept), other statuses, refused connections (the request
 * never reached a listener) and broken ones (reset or closed after the request was sent).
 */
final class LoadLoop {
  static final java.time.Duration CONNECT_TIMEOUT = java.time.Duration.ofSeconds(2);
  final Set<String> accepted = ConcurrentHashMap.newKeySet();
  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger refusedConnections = new AtomicInteger();
  final AtomicInteger brokenConnections = new AtomicInteger();
  final AtomicInteger otherStatuses = new AtomicInteger();
  final AtomicLong maxLatencyMs = new AtomicLong();
  final Set<String> brokenCauses = ConcurrentHashMap.newKeySet();
  private final AtomicInteger sequence = new AtomicInteger();
  private final WebClient client;
  private final String host;
  private volatile int port;
  private volatile boolean running = true;
  private volatile boolean goneAway;
  private final Promise<Void> done;
  private final AtomicInteger activeLoops = new AtomicInteger();

  LoadLoop(Vertx vertx, int port, boolean keepAlive) {
    this.port = port;
    this.host = "127.0.0.1";
    this.client = WebClient.create(vertx, new WebClientOptions(new HttpClientOptions().setKeepAlive(keepAlive)
        .setConnectTimeout((int) CONNECT_TIMEOUT.toMillis())).setIdleTimeout(5), new PoolOptions().setHttp1MaxSize(64));
    this.done = Promise.promise();
  }

  Future<Void> start(int concurrency) {
    activeLoops.set(concurrency);
    for (int i = 0; i < concurrency; i++) {
      next();
    }
    return done.future();
  }

  void retarget(int newPort) {
    this.port = newPort;
  }

  void stop() {
    running = false;
  }

  private void next() {
    if (!running || goneAway) {
      if (activeLoops.decrementAndGet() == 0) {
        done.tryComplete();
      }
      return;
    }
    int n = sequence.incrementAndGet();
    String body = HubEndToEndTest.withApplicant(HubEndToEndTest.example("birth-registration.json"), 500_000 + n);
    long started = System.nanoTime();
    requests.incrementAndGet();
    client.post(port, host, "/v1/dossiers").putHeader("Content-Type", "application/json")
        .putHeader("X-Api-Key", HubEndToEndTest.API_KEY)
        .sendBuffer(Buffer.buffer(body))
        .onComplete(ar -> {
          maxLatencyMs.accumulateAndGet((System.nanoTime() - started) / 1_000_000, Math::max);
          if (ar.succeeded() && ar.result().statusCode() == 202) {
            accepted.add(ar.result().bodyAsJsonObject().getString("id"));
          } else if (ar.succeeded()) {
            otherStatuses.incrementAndGet();
            if (ar.result().statusCode() == 503 && "close".equals(ar.result().getHeader("Connection"))) {
              // like a load balancer or a well-behaved client: this instance is going away, send elsewhere
              goneAway = true;
            }
          } else if (ar.cause() instanceof ConnectException) {
            refusedConnections.incrementAndGet();
          } else {
            brokenConnections.incrementAndGet();
            brokenCauses.add(ar.cause().getClass().getSimpleName() + ": " + ar.cause().getMessage());
          }
          next();
        });
  }

  String figures() {
    return String.format("%d requests, %d accepted (202), %d other statuses, %d refused connections, "
            + "%d broken connections %s, max latency %d ms", requests.get(), accepted.size(), otherStatuses.get(),
        refusedConnections.get(), brokenConnections.get(), brokenCauses, maxLatencyMs.get());
  }
}
