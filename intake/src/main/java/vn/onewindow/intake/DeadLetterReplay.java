package vn.onewindow.intake;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import vn.onewindow.common.config.ConfigException;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.EmbeddedServers;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.metrics.MeterNames.DeadLetterReason;

/**
 * Puts dead letters back on their partition's stream once their cause is fixed (RUNBOOK, HubDeadLetters), configured
 * as the hub is (config/hub.properties, HUB_CONFIG_FILE, HUB_* variables), every partition, standalone or cluster:
 *
 * <pre>
 * java -cp hub/target/hub.jar vn.onewindow.intake.DeadLetterReplay --dry-run [--reason rejected] [--limit 100]
 * java -cp hub/target/hub.jar vn.onewindow.intake.DeadLetterReplay [--reason rejected|malformed|max_deliveries] [--limit N]
 * </pre>
 *
 * For each copy on a dead-letter stream ({@link DeadLetterCopy}), oldest first, up to the copy that was the newest when
 * the run began (a replayed entry that fails again is dead-lettered anew, and is left for the next run): XADD of the
 * entry's fields, its explicit {@code id} among them, onto the partition's stream; then {@code replayed_at} on its
 * {@code dead_letter} row (V13); then XDEL of the copy. The intake writes the entry as any other, under the dossier's
 * id, so a dossier that is already in PostgreSQL (replayed before, or a crash between XADD and XDEL) is an
 * {@code ON CONFLICT} no-op. A run stopped at any point loses nothing: a copy is deleted only after its entry is on
 * the stream (the same master in cluster mode, so a failover that loses the XADD loses the XDEL too), and a copy left
 * behind is replayed again, harmlessly. A copy without the fields the intake needs is listed and left in place.
 *
 * <p>Prints entry ids, dossier ids and reasons only, never a payload or an error text (they may quote personal data).
 * Exit status: 0 done; 1 Redis or PostgreSQL unreachable or failing (what was replayed so far is replayed, the rest is
 * still on the dead-letter streams); 2 usage or configuration error; 3 some selected copies cannot be replayed.
 *
 * <p>This class is the command line: options, configuration, exit status. {@link DeadLetterScan} selects the copies,
 * {@link ReplayBatch} puts them back, {@link ReplayReport} prints what was done, {@link ReplayCalls} bounds every call.
 */
public final class DeadLetterReplay {
  static final int OK = 0;
  static final int UNAVAILABLE = 1;
  static final int USAGE = 2;
  static final int NOT_REPLAYABLE = 3;

  /** {@code reason}: a {@link DeadLetterReason#tag()}, or null for every reason; {@code limit}: copies to replay. */
  record Options(boolean dryRun, String reason, long limit) {

    static Options parse(String[] args) {
      boolean dryRun = false;
      String reason = null;
      long limit = Long.MAX_VALUE;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--dry-run" -> dryRun = true;
          case "--reason" -> {
            reason = value(args, ++i, "--reason").toLowerCase(Locale.ROOT);
            Set<String> tags = new HashSet<>();
            for (DeadLetterReason r : DeadLetterReason.values()) {
              tags.add(r.tag());
            }
            if (!tags.contains(reason)) {
              throw new IllegalArgumentException("--reason must be one of rejected, malformed, max_deliveries");
            }
          }
          case "--limit" -> {
            String raw = value(args, ++i, "--limit");
            try {
              limit = Long.parseLong(raw);
            } catch (NumberFormatException e) {
              limit = 0;
            }
            if (limit < 1) {
              throw new IllegalArgumentException("--limit must be a positive integer");
            }
          }
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      return new Options(dryRun, reason, limit);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }
  }

  private static final String USAGE_LINE =
      "usage: DeadLetterReplay [--dry-run] [--reason rejected|malformed|max_deliveries] [--limit N]";

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** The command line: options, then the hub's configuration from {@code env}. */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      out.println(USAGE_LINE);
      return OK;
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println(USAGE_LINE);
      return USAGE;
    }
    HubConfig config;
    try {
      Settings settings = Settings.load(env);
      config = HubConfig.forTool(settings);
      settings.unknownVariables(env).forEach(name ->
          err.println("warning: environment variable " + name + " names no setting and is ignored"));
    } catch (ConfigException e) {
      err.println("invalid configuration: " + e.getMessage());
      return USAGE;
    }
    return run(local(config), options, out, err);
  }

  /**
   * A hub run with embedded servers (no redis.url / postgres.url) keeps them on the embedded.* ports of 127.0.0.1
   * while it runs (EmbeddedServers): the replay talks to those.
   */
  static HubConfig local(HubConfig config) {
    HubConfig local = config;
    if (local.redis().embedded()) {
      local = local.withRedis(local.redis().withUrl(EmbeddedServers.redisUrl(local.embedded().redisPort())));
    }
    if (local.postgres().embedded()) {
      local = local.withPostgres(
          local.postgres().withUrl(EmbeddedServers.postgresUrl(local.embedded().postgresPort())));
    }
    return local;
  }

  /** Replays (or lists, {@link Options#dryRun}) the dead letters of every partition; returns the exit status. */
  static int run(HubConfig config, Options options, PrintStream out, PrintStream err) {
    Vertx vertx = Vertx.vertx();
    try {
      Redis redis = RedisClients.create(vertx, config.redis().withPoolSize(2), "replay");
      Pool sql = PostgresClients.pool(vertx, config.postgres().withPoolSize(1), "replay");
      ReplayCalls calls = new ReplayCalls(config, redis, sql);
      ReplayReport report = new ReplayReport(out, options.dryRun());
      DeadLetterScan scan = new DeadLetterScan(options, calls, new ReplayBatch(calls, report), report);
      try {
        calls.checkPostgres();
        scan.run(RedisKeys.of(config.redis(), config.stream()));
      } catch (ReplayCalls.Unavailable e) {
        if (!options.dryRun()) {   // what was replayed before the failure; a dry run's partial count would mislead
          report.summary();
        }
        err.println(e.getMessage());
        return UNAVAILABLE;
      }
      report.summary();
      if (report.notReplayable() > 0) {
        err.println(report.notReplayable() + " dead letter(s) cannot be replayed (listed as 'kept'): their copies"
            + " lack fields the intake needs; they stay on the dead-letter stream and in dead_letter");
        return NOT_REPLAYABLE;
      }
      return OK;
    } finally {
      try {
        vertx.close().await(ReplayCalls.CALL_TIMEOUT_S, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // the process ends anyway
      }
    }
  }
}
