package vn.onewindow.common.infra;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A few long-lived connections that one verticle pipelines its commands on, round-robin, in front of the pooled
 * client. In cluster mode each of them holds a socket to every node, and keeps serving the healthy shards while one
 * master is down: the pooled client's {@code send()} opens a connection to every node of its slot map per call, so
 * during a failover it fails for every shard until the dead master has left the map (vertx-redis-client 5.0.10,
 * see ops/docs/redis-cluster-notes.md b2). A member whose socket broke is replaced in the background, the old one
 * serving meanwhile; until the ring's first connections exist the pooled client answers, and so does it for a command
 * a member refused before sending it (its socket to that node closed: a dead master, or a slot map not yet refreshed
 * after a failover). A command that may have reached Redis is never sent twice.
 *
 * <p>One instance per verticle, used on its event loop only.
 */
public final class ConnectionRing implements Redis {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionRing.class);
  private static final long FIRST_RETRY_MS = 100;
  private static final long MAX_RETRY_MS = 2000;

  private final Vertx vertx;
  private final Redis pooled;
  private final String name;
  private final RedisConnection[] members;
  private final boolean[] renewing;
  private int next;
  private boolean closed;

  ConnectionRing(Vertx vertx, Redis pooled, String name, int size) {
    this.vertx = vertx;
    this.pooled = pooled;
    this.name = name;
    this.members = new RedisConnection[size];
    this.renewing = new boolean[size];
    for (int i = 0; i < size; i++) {
      renew(i, FIRST_RETRY_MS);
    }
  }

  @Override
  public Future<Response> send(Request command) {
    return onMember(member -> member.send(command), () -> pooled.send(command));
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return onMember(member -> member.batch(commands), () -> pooled.batch(commands));
  }

  private <T> Future<T> onMember(Function<RedisConnection, Future<T>> call, Supplier<Future<T>> viaPool) {
    int i = pick();
    if (i < 0) {
      return viaPool.get();
    }
    RedisConnection member = members[i];
    return call.apply(member)
        .onFailure(err -> lost(i, member, err))
        .recover(err -> RedisErrors.notSent(err) ? viaPool.get() : Future.failedFuture(err));
  }

  /** A connection of the pooled client, for a caller that needs one of its own (a blocking read). */
  @Override
  public Future<RedisConnection> connect() {
    return pooled.connect();
  }

  @Override
  public Future<Void> close() {
    closed = true;
    for (RedisConnection member : members) {
      if (member != null) {
        member.close();
      }
    }
    return pooled.close();
  }

  private int pick() {
    for (int tried = 0; tried < members.length; tried++) {
      int i = next;
      next = (next + 1) % members.length;
      if (members[i] != null) {
        return i;
      }
    }
    return -1;
  }

  /** A reply that says the socket is gone (not a Redis error reply): get a new member, keep this one meanwhile. */
  private void lost(int i, RedisConnection member, Throwable err) {
    if (RedisErrors.connectionLost(err) && members[i] == member && !renewing[i]) {
      LOG.debug("redis connection {}[{}] lost ({}), replacing it", name, i, err.toString());
      renew(i, FIRST_RETRY_MS);
    }
  }

  private void renew(int i, long retryMs) {
    if (closed) {
      return;
    }
    renewing[i] = true;
    pooled.connect().onComplete(ar -> {
      if (ar.succeeded() && !closed) {
        RedisConnection old = members[i];
        members[i] = ar.result();
        renewing[i] = false;
        if (old != null) {
          old.close();
        }
      } else if (ar.succeeded()) {
        ar.result().close();
      } else {
        if (retryMs >= MAX_RETRY_MS) {
          LOG.debug("redis connection {}[{}] not renewed yet: {}", name, i, ar.cause().toString());
        }
        vertx.setTimer(retryMs, id -> renew(i, Math.min(MAX_RETRY_MS, retryMs * 2)));
      }
    });
  }
}
