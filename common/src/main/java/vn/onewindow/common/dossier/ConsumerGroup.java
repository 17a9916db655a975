package vn.onewindow.common.dossier;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Map;
import vn.onewindow.common.infra.RedisErrors;
import vn.onewindow.common.infra.RedisReplies;

/** The intake consumer group on each partition's stream, created by whichever process reaches Redis first. */
public final class ConsumerGroup {
  private ConsumerGroup() {
  }

  /**
   * {@code XGROUP CREATE <stream> <group> 0 MKSTREAM}: from id 0, so dossiers queued before any worker ever ran are
   * read too. An existing group (BUSYGROUP) is fine.
   */
  public static Future<Void> ensure(Redis redis, String group, PartitionKeys partition) {
    return redis.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(partition.stream()).arg(group).arg("0")
            .arg("MKSTREAM"))
        .<Void>mapEmpty()
        .recover(err -> RedisErrors.is(err, "BUSYGROUP") ? Future.succeededFuture() : Future.failedFuture(err));
  }

  /**
   * The fields of {@code group} in an {@code XINFO GROUPS} reply ({@code last-delivered-id}, {@code lag},
   * {@code entries-read}...; a nil value is kept as null); empty when the stream has no such group.
   */
  public static Map<String, String> info(Response xinfoGroups, String group) {
    for (Response g : xinfoGroups) {
      Map<String, String> info = RedisReplies.pairs(g);
      if (group.equals(info.get("name"))) {
        return info;
      }
    }
    return Map.of();
  }

  /** The group on every partition. */
  public static Future<Void> ensureAll(Redis redis, RedisKeys keys) {
    List<Future<Void>> all = keys.all().stream().map(p -> ensure(redis, keys.group(), p)).toList();
    return Future.all(all).mapEmpty();
  }
}
