package vn.onewindow.gateway.feed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.agency.AgencyCode;
import vn.onewindow.common.agency.AgencyDirectory;
import vn.onewindow.common.http.HeadRequests;
import vn.onewindow.common.metrics.LatencyTimers;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.Feed;
import vn.onewindow.common.metrics.MeterNames.Upstream;
import vn.onewindow.common.metrics.ThrottledLog;
import vn.onewindow.gateway.admission.UpstreamBreakers;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.JsonContent;
import vn.onewindow.gateway.http.Problem;
import vn.onewindow.gateway.http.QueryParams;
import vn.onewindow.gateway.http.RequestIds;
import vn.onewindow.gateway.security.Caller;

/**
 * The two feeds, one router step each: {@code GET /v1/agencies/{agencyCode}/dossiers} (agency systems: the
 * dossiers routed to an agency they cover) and {@code GET /v1/changes} (frontends: status changes of the dossiers
 * they submitted). Both page through {@link FeedQueries} with a {@link FeedCursor} on the read pool (the replica
 * when {@code postgres.read-url} is set) behind the {@code postgres_read} breaker, so feeds never queue behind intake.
 * A feed is its owner's rows: the agency code of the path as given, or the calling frontend's client id; the owner
 * is the query's filter and what the feed's cursors are bound to.
 *
 * <p>A cursor past every transaction id the database has issued is a 409 {@code cursor-ahead-of-database}: the
 * database went back in time (a point-in-time restore, a failover to an asynchronous replica) and hands those ids out
 * again, so rows written since may lie below the cursor, and an empty page with the same cursor would have the reader
 * wait until the ids pass it, then skip them. Asked only when a page comes back empty, which every page read with such
 * a cursor is (the feed serves rows below the horizon only), with one more statement that reads no table.
 */
public final class FeedHandler {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  private static final Logger LOG = LoggerFactory.getLogger(FeedHandler.class);

  private final Pool reads;
  private final Pool primary;
  private final UpstreamBreakers breakers;
  private final Duration timeout;
  private final AgencyDirectory directory;
  private final ThrottledLog warnings;
  private final Map<Feed, Timer> latency = new EnumMap<>(Feed.class);
  private final Map<Feed, Counter> items = new EnumMap<>(Feed.class);
  private final Map<Feed, Counter> cursorsAhead = new EnumMap<>(Feed.class);

  /**
   * {@code reads} serves the pages (a replica when postgres.read-url is set), {@code primary} (a pool on the primary,
   * behind the postgres_events breaker) has the last word on a cursor the reads find ahead; {@code warnings} throttles
   * the WARN line of such a cursor (one per feed per interval, in every event loop together).
   */
  public FeedHandler(Pool reads, Pool primary, UpstreamBreakers breakers, Duration timeout, AgencyDirectory directory,
                     MeterRegistry registry, ThrottledLog warnings) {
    this.reads = reads;
    this.primary = primary;
    this.breakers = breakers;
    this.timeout = timeout;
    this.directory = directory;
    this.warnings = warnings;
    for (Feed feed : Feed.values()) {
      latency.put(feed, LatencyTimers.register(MeterNames.FEED_READ_LATENCY, "One feed page read",
          registry, MeterNames.TAG_FEED, feed.tag()));
      items.put(feed, Counter.builder(MeterNames.FEED_ITEMS).description("Feed items served")
          .tag(MeterNames.TAG_FEED, feed.tag()).register(registry));
      cursorsAhead.put(feed, Counter.builder(MeterNames.FEED_CURSORS_AHEAD)
          .description("Feed reads refused: the cursor lies past every transaction the database has issued")
          .tag(MeterNames.TAG_FEED, feed.tag()).register(registry));
    }
  }

  /**
   * Step: one page of an agency's feed. An agency the caller does not cover, or that is not in the directory, is a
   * 404 like a dossier it may not see. Closed agency codes keep their feed (dossiers received before the merger).
   */
  public void agency(RoutingContext ctx) {
    String agency = ctx.pathParam("agencyCode");
    if (!AgencyCode.isWellFormed(agency) || !Caller.of(ctx).covers(agency) || directory.find(agency).isEmpty()) {
      ctx.fail(HttpFailure.notFound("no feed of this agency for this client"));
      return;
    }
    page(ctx, Feed.AGENCY, FeedQueries.AGENCY, agency, FeedQueries::agencyItem);
  }

  /** Step: one page of the calling frontend's change feed. */
  public void changes(RoutingContext ctx) {
    page(ctx, Feed.CHANGES, FeedQueries.CHANGES, Caller.of(ctx).clientId(), FeedQueries::changeItem);
  }

  private void page(RoutingContext ctx, Feed feed, String sql, String owner, Function<Row, JsonObject> item) {
    long started = System.nanoTime();
    Future.succeededFuture()
        .map(ignored -> new Page(FeedCursor.parse(feed, owner, QueryParams.single(ctx, "after")), QueryParams.limit(ctx, DEFAULT_LIMIT, MAX_LIMIT)))
        .compose(page -> breakers.call(Upstream.POSTGRES_READ, timeout, "feed (postgres)", () -> reads
                .preparedQuery(sql).execute(Tuple.of(owner, page.after().xid(), page.after().seq(), page.limit())))
            .compose(rows -> rows.size() > 0 ? Future.succeededFuture(rows)
                : refuseIfAhead(ctx, feed, page.after()).map(rows))
            .map(rows -> body(page.after(), rows, item)))
        .onSuccess(body -> {
          // a HEAD reads the page too but delivers none of it: the meters count what clients were served
          if (ctx.request().method() == HttpMethod.GET) {
            latency.get(feed).record(Duration.ofNanos(System.nanoTime() - started));
            items.get(feed).increment(body.getJsonArray("items").size());
          }
          ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JsonContent.CONTENT_TYPE);
          HeadRequests.end(ctx, body.encode());
        })
        .onFailure(ctx::fail);
  }

  /**
   * Fails with 409 {@code cursor-ahead-of-database} when {@code after} lies at or past the first transaction id the
   * database has not issued. The reads ask first; a replica behind the primary can be behind a cursor the primary (or a
   * replica further on) issued, which is no going back in time, so the primary has the last word on a cursor the reads
   * find ahead. The start of a feed is behind every database.
   */
  private Future<Void> refuseIfAhead(RoutingContext ctx, Feed feed, FeedCursor after) {
    if (after.xid().equals("0")) {
      return Future.succeededFuture();
    }
    return nextXid(Upstream.POSTGRES_READ, reads)
        .compose(next -> after.aheadOf(next) < 0 ? Future.succeededFuture(next)
            : nextXid(Upstream.POSTGRES_EVENTS, primary))
        .compose(next -> {
          long ahead = after.aheadOf(next);
          if (ahead < 0) {
            return Future.succeededFuture();
          }
          cursorsAhead.get(feed).increment();
          long suppressed = warnings.tryAcquire("feed-cursor-ahead-" + feed.tag());
          if (suppressed >= 0) {
            // transaction ids only: nothing of the reader or its dossiers
            LOG.warn("{} feed: refused a cursor at transaction id {}, {} past the first id the database has not "
                    + "issued ({}) (request {}, {} more like it suppressed in the last 10 s): the database went back in"
                    + " time (a point-in-time restore, a failover to an asynchronous replica) or the reader's cursor "
                    + "came from another database; its readers must re-read from cursors saved before",
                feed.tag(), after.xid(), ahead, next, RequestIds.of(ctx), suppressed);
          }
          return Future.failedFuture(HttpFailure.of(Problem.CURSOR_AHEAD_OF_DATABASE, "after lies past every "
              + "transaction the database has issued: it went back in time (restored to an earlier point, or failed "
              + "over to a replica that had not received its last transactions), and what was written since may lie "
              + "below this cursor. Do not ask again with it (once the database's transaction ids pass it, pages would "
              + "resume without those items): re-read from a cursor saved before the restore or failover, or from the "
              + "start without after; items then repeat, each recognisable by its id and status", Map.of()));
        });
  }

  private Future<String> nextXid(Upstream upstream, Pool pool) {
    return breakers.call(upstream, timeout, "feed (postgres)",
            () -> pool.query(FeedQueries.NEXT_XID).execute())
        .map(rows -> rows.iterator().next().getString("next_xid"));
  }

  /**
   * The items and the cursor to continue from: the last item's position, or {@code after} again when none (then
   * re-encoded, so that a cursor issued before feeds were bound comes back bound to this feed).
   */
  private static JsonObject body(FeedCursor after, RowSet<Row> rows, Function<Row, JsonObject> item) {
    JsonArray items = new JsonArray();
    FeedCursor next = after;
    for (Row row : rows) {
      items.add(item.apply(row));
      next = after.at(row.getString("feed_xid"), row.getLong("feed_seq"));
    }
    return new JsonObject().put("items", items).put("next", next.encode());
  }

  private record Page(FeedCursor after, int limit) {
  }

}
