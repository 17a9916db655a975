package vn.onewindow.intake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.IntakeConfig;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.RedisScript;

/**
 * One worker's heartbeat: every {@code intake.heartbeat-ms} it announces itself in the members set and re-reads the
 * live workers, then hands its share of the partitions ({@link Assignment}: those it reads, those it sweeps, those
 * it stands by for) to {@code onAssignment}. A worker silent
 * for {@link IntakeConfig#membershipTtl()} drops out of everyone's list and its partitions go to the others; one
 * that stops leaves at once. While Redis does not answer, the last assignment stays.
 */
final class Membership {
  private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
  private static final RedisScript MEMBERS = RedisScript.fromResources("lua/intake-members.lua");

  private final Vertx vertx;
  private final Redis redis;
  private final RedisKeys keys;
  private final IntakeConfig config;
  private final String worker;
  private final Consumer<Assignment.Share> onAssignment;
  private long timer = -1;
  private boolean failing;

  Membership(Vertx vertx, Redis redis, RedisKeys keys, IntakeConfig config, String worker,
             Consumer<Assignment.Share> onAssignment) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = keys;
    this.config = config;
    this.worker = worker;
    this.onAssignment = onAssignment;
  }

  /** The first heartbeat (its assignment applied), then one per interval. */
  Future<Void> start() {
    return beat().onComplete(ar -> timer = vertx.setPeriodic(config.heartbeat().toMillis(), id -> beat()));
  }

  /** Leaves the members set, so the others take this worker's partitions at their next heartbeat. */
  Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return call("leave").<Void>mapEmpty().otherwiseEmpty();
  }

  private Future<Void> beat() {
    return call("join")
        .onSuccess(live -> {
          if (failing) {
            LOG.info("intake worker {} sees the members again: {}", worker, live);
          }
          failing = false;
          onAssignment.accept(Assignment.of(worker, live, keys.partitions().count()));
        })
        .onFailure(err -> {
          if (!failing) {
            LOG.warn("heartbeat of intake worker {} failed, keeping its partitions: {}", worker,
                FailureKind.describe(err));
          }
          failing = true;
        })
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  private Future<List<String>> call(String action) {
    return MEMBERS.run(redis, List.of(keys.members()),
            List.of(worker, action, Long.toString(config.membershipTtl().toMillis())))
        .timeout(config.callBound().toMillis(), TimeUnit.MILLISECONDS)
        .map(reply -> {
          List<String> live = new ArrayList<>();
          for (Response name : reply) {
            live.add(name.toString());
          }
          return live;
        });
  }
}
