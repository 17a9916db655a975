package vn.onewindow.hub;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.gateway.GatewayShared;

/**
 * Graceful drain (SIGTERM): readiness turns DOWN and new submissions get a fast 503 while load balancers notice;
 * then the listener stops, in-flight requests finish, workers finish and acknowledge their batch; all within
 * {@code drain.timeout-ms}. Ends with vert.x closed; the embedded servers stop after it ({@link Hub#drain}).
 */
final class HubDrain {
  private static final Logger LOG = LoggerFactory.getLogger(HubDrain.class);

  private final HubConfig config;
  private final Vertx vertx;
  private final HubDeployment deployment;

  HubDrain(HubConfig config, Vertx vertx, HubDeployment deployment) {
    this.config = config;
    this.vertx = vertx;
    this.deployment = deployment;
  }

  void run() {
    long started = System.nanoTime();
    deployment.draining().begin();
    GatewayShared shared = deployment.gateway();
    if (shared != null) {
      shared.admission().startDraining();
      LOG.info("draining: readiness DOWN, refusing new submissions for {} ms before closing the listener",
          config.resilience().drainAnnounce().toMillis());
      sleep(config.resilience().drainAnnounce().toMillis());
    }
    long bound = config.resilience().drainTimeout().toMillis();
    // nothing is admitted any more: shedding needs no new samples, and vert.x closes the monitor's client below
    deployment.stopSampling();
    try {
      String gatewayDeployment = deployment.gatewayDeployment();
      if (gatewayDeployment != null) {
        vertx.undeploy(gatewayDeployment).await(remaining(started, bound), TimeUnit.MILLISECONDS);
      }
      String intakeDeployment = deployment.intakeDeployment();
      if (intakeDeployment != null) {
        // the workers finish their batches while the management port still answers (readiness 503 draining,
        // hub_draining 1 in /metrics), and before their pool closes: vert.x's close runs the close hooks (the pool
        // made outside any verticle among them) before it stops the verticles
        vertx.undeploy(intakeDeployment).await(remaining(started, bound), TimeUnit.MILLISECONDS);
        deployment.intakePool().close().await(remaining(started, bound), TimeUnit.MILLISECONDS);
      }
      vertx.close().await(remaining(started, bound), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("drain did not finish within {} ms: {}", bound, e.toString());
    }
    LOG.info("drained in {} ms", (System.nanoTime() - started) / 1_000_000);
  }

  /** What is left of the drain's bound, at least a second for each step. */
  private static long remaining(long started, long bound) {
    return Math.max(1000, bound - (System.nanoTime() - started) / 1_000_000);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
