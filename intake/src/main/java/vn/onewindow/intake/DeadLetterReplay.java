package vn.onewindow.intake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import vn.onewindow.common.config.ConfigException;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.Secrets;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.RedisKeys;
import vn.onewindow.common.infra.EmbeddedServers;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisClients;
import vn.onewindow.common.infra.RedisReplies;
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
 */
public final class DeadLetterReplay {
  static final int OK = 0;
  static final int UNAVAILABLE = 1;
  static final int USAGE = 2;
  static final int NOT_REPLAYABLE = 3;

  /** Copies read from a dead-letter stream at a time, and replayed together. */
  private static final int PAGE = 100;
  /** Bound on every call to Redis or PostgreSQL: an unreachable server is reported, not waited for. */
  private static final long CALL_TIMEOUT_S = 15;

  static final String MARK_REPLAYED = """
      UPDATE dead_letter SET replayed_at = now()
      FROM unnest($1::text[], $2::text[]) AS t(entry, dossier)
      WHERE dead_letter.stream IN ($3, '') AND dead_letter.stream_entry_id = t.entry
        AND dead_letter.dossier_id IS NOT DISTINCT FROM t.dossier
      RETURNING dead_letter.stream_entry_id""";

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

  /** A failure of Redis or PostgreSQL, with the sentence the operator reads. */
  static final class Unavailable extends RuntimeException {
    Unavailable(String message) {
      super(message);
    }
  }

  private final HubConfig config;
  private final Options options;
  private final Redis redis;
  private final Pool sql;
  private final PrintStream out;
  /** Per "partition reason": copies replayed (or to replay), and copies that cannot be. */
  private final Map<String, long[]> counts = new TreeMap<>();
  private long selected;
  private long notReplayable;

  private DeadLetterReplay(HubConfig config, Options options, Redis redis, Pool sql, PrintStream out) {
    this.config = config;
    this.options = options;
    this.redis = redis;
    this.sql = sql;
    this.out = out;
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
      DeadLetterReplay replay = new DeadLetterReplay(config, options, redis, sql, out);
      try {
        replay.all();
      } catch (Unavailable e) {
        if (!options.dryRun()) {   // what was replayed before the failure; a dry run's partial count would mislead
          replay.summary();
        }
        err.println(e.getMessage());
        return UNAVAILABLE;
      }
      replay.summary();
      if (replay.notReplayable > 0) {
        err.println(replay.notReplayable + " dead letter(s) cannot be replayed (listed as 'kept'): their copies lack"
            + " fields the intake needs; they stay on the dead-letter stream and in dead_letter");
        return NOT_REPLAYABLE;
      }
      return OK;
    } finally {
      try {
        vertx.close().await(CALL_TIMEOUT_S, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // the process ends anyway
      }
    }
  }

  private void all() {
    checkPostgres();
    RedisKeys keys = RedisKeys.of(config.redis(), config.stream());
    // where each stream ends now: copies a replay makes (an entry dead-lettered again) are for the next run
    List<String> ends = new ArrayList<>();
    for (PartitionKeys partition : keys.all()) {
      Response last = redisCall("read " + partition.deadLetterStream(),
          Request.cmd(Command.XREVRANGE).arg(partition.deadLetterStream()).arg("+").arg("-").arg("COUNT").arg(1));
      ends.add(last.size() == 0 ? null : last.get(0).get(0).toString());
    }
    for (PartitionKeys partition : keys.all()) {
      String end = ends.get(partition.index());
      String from = "-";
      while (end != null && selected < options.limit()) {
        Response page = redisCall("read " + partition.deadLetterStream(),
            Request.cmd(Command.XRANGE).arg(partition.deadLetterStream()).arg(from).arg(end).arg("COUNT").arg(PAGE));
        if (page.size() == 0) {
          break;
        }
        List<DeadLetterCopy> toReplay = new ArrayList<>();
        for (int i = 0; i < page.size() && selected < options.limit(); i++) {
          Response e = page.get(i);
          DeadLetterCopy copy = new DeadLetterCopy(partition, e.get(0).toString(), RedisReplies.pairs(e.get(1)));
          from = "(" + copy.copyId();
          if (options.reason() != null && !options.reason().equals(copy.reason())) {
            continue;
          }
          List<String> missing = copy.missing();
          if (missing.isEmpty()) {
            selected++;
            toReplay.add(copy);
          } else {
            notReplayable++;
            count(copy)[1]++;
            out.println("kept " + describe(copy) + " lacks=" + String.join(",", missing));
          }
        }
        if (options.dryRun()) {
          toReplay.forEach(copy -> {
            count(copy)[0]++;
            out.println("would-replay " + describe(copy));
          });
        } else {
          replay(partition, toReplay);
        }
        if (page.size() < PAGE) {
          break;
        }
      }
    }
  }

  /**
   * XADD every copy's entry, then mark their rows, then XDEL the copies: stopped anywhere, no copy is gone whose
   * entry is not on the stream, and what is left is replayed again by the next run (a no-op for stored dossiers).
   */
  private void replay(PartitionKeys partition, List<DeadLetterCopy> copies) {
    if (copies.isEmpty()) {
      return;
    }
    List<Request> adds = new ArrayList<>(copies.size());
    for (DeadLetterCopy copy : copies) {
      Request add = Request.cmd(Command.XADD).arg(partition.stream()).arg("*");
      copy.entryFields().forEach((name, value) -> add.arg(name).arg(value == null ? "" : value));
      adds.add(add);
    }
    List<Response> added = redisBatch("put the entries back on " + partition.stream(), adds);
    String[] entries = new String[copies.size()];
    String[] dossiers = new String[copies.size()];
    for (int i = 0; i < copies.size(); i++) {
      entries[i] = copies.get(i).originalEntryId();
      dossiers[i] = copies.get(i).dossierId();
    }
    Set<String> marked = new HashSet<>();
    for (Row row : sqlCall("record the replay in dead_letter", MARK_REPLAYED, Tuple.tuple()
        .addArrayOfString(entries).addArrayOfString(dossiers).addString(partition.stream()))) {
      marked.add(row.getString(0));
    }
    Request delete = Request.cmd(Command.XDEL).arg(partition.deadLetterStream());
    copies.forEach(copy -> delete.arg(copy.copyId()));
    redisCall("delete the replayed copies from " + partition.deadLetterStream(), delete);
    for (int i = 0; i < copies.size(); i++) {
      DeadLetterCopy copy = copies.get(i);
      count(copy)[0]++;
      out.println("replayed " + describe(copy) + " as=" + added.get(i)
          + (marked.contains(copy.originalEntryId()) ? "" : " warning=no-dead_letter-row"));
    }
  }

  private static String describe(DeadLetterCopy copy) {
    String dossier = copy.dossierId();
    String entry = copy.originalEntryId();
    return "partition=" + copy.partition().index() + " copy=" + copy.copyId() + " entry="
        + (entry == null || entry.isEmpty() ? "-" : entry) + " dossier=" + (dossier == null ? "-" : dossier)
        + " reason=" + copy.reason();
  }

  private long[] count(DeadLetterCopy copy) {
    return counts.computeIfAbsent(String.format("%05d %s", copy.partition().index(), copy.reason()),
        k -> new long[2]);
  }

  private void summary() {
    String verb = options.dryRun() ? "to-replay" : "replayed";
    long done = 0;
    for (Map.Entry<String, long[]> c : counts.entrySet()) {
      String[] key = c.getKey().split(" ");
      out.println("summary partition=" + Integer.parseInt(key[0]) + " reason=" + key[1] + " " + verb + "="
          + c.getValue()[0] + " kept=" + c.getValue()[1]);
      done += c.getValue()[0];
    }
    out.println("total " + verb + "=" + done + " kept=" + notReplayable + (options.dryRun() ? " (dry run: nothing"
        + " changed)" : ""));
  }

  /** The schema has V13 and PostgreSQL answers; a dry run checks it too, so that it tells whether a run would work. */
  private void checkPostgres() {
    try {
      sql.query("SELECT replayed_at FROM dead_letter LIMIT 0").execute().await(CALL_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      if ("42703".equals(FailureKind.sqlState(e))) {
        throw new Unavailable("PostgreSQL: dead_letter has no replayed_at column: the schema is older than V13;"
            + " migrate it first (start a hub of this release with postgres.migrate=true, as the schema owner)");
      }
      throw new Unavailable("PostgreSQL unreachable or failing (" + Secrets.maskUrl(config.postgres().url()) + "): "
          + reason(e) + "; nothing was replayed");
    }
  }

  private io.vertx.sqlclient.RowSet<Row> sqlCall(String what, String statement, Tuple params) {
    try {
      return sql.preparedQuery(statement).execute(params).await(CALL_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new Unavailable("PostgreSQL failed to " + what + ": " + reason(e) + "; the entries just put back on the"
          + " stream are still on the dead-letter stream too, and the next run replays them again (harmless)");
    }
  }

  private Response redisCall(String what, Request request) {
    return redisBatch(what, List.of(request)).get(0);
  }

  private List<Response> redisBatch(String what, List<Request> requests) {
    Future<List<Response>> call = requests.size() == 1 ? redis.send(requests.get(0)).map(List::of)
        : redis.batch(requests);
    try {
      return call.await(CALL_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new Unavailable("Redis unreachable or failing (" + Secrets.maskUrl(config.redis().url()) + ") to " + what
          + ": " + reason(e) + "; whatever this run did not finish is still on the dead-letter streams");
    }
  }

  private static String reason(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + Secrets.maskUrl(message));
  }
}
