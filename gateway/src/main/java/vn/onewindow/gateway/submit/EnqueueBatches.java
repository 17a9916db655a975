package vn.onewindow.gateway.submit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.BiFunction;

/**
 * Group commit of one verticle's calls to a partition: one call per partition is in flight, and the items that arrive
 * meanwhile go together in the next call (at most {@code maxItems}); only when a full call's items wait does another
 * call go beside it, up to {@code maxCalls} in flight. A saturated event loop reads hundreds of submissions in one
 * turn and handles a call's reply a turn later: one call at a time then served {@code maxItems} a turn, and the rest
 * waited turn after turn until their requests timed out on a healthy Redis (an overload drill, 5,000 connections on
 * one 2-core gateway: 150 accepted a second, the enqueue breaker opening). An idle lane does not send at once
 * but at the end of the event loop's current turn ({@code defer}), so the dossiers of requests read in the same turn
 * (an event loop reads every socket that is ready before it runs its tasks) share a call too; a lone dossier waits
 * only for the rest of that turn. Under load one call, one socket write and one reply carry many: with one call per
 * dossier redis-server read its sockets about once a dossier and spent about a quarter of its CPU in the kernel
 * (README, "Performance").
 *
 * <p>An item whose request has given up (its breaker's timeout fired, and it may be answered another way, the direct
 * path included) is dropped before it is sent: sending it later could make a second dossier of one Idempotency-Key.
 * An item that is sent is told so ({@code sent}, before the call goes): from then on Redis may run it whatever the
 * call's outcome, so its request must not take the direct path (DossierIntake). Used on the verticle's event loop
 * only.
 *
 * @param <K> the lane's key (a partition)   @param <I> what an item carries   @param <R> one item's reply
 */
final class EnqueueBatches<K, I, R> {
  /** The request behind an item gave up before the item was sent; it was not sent. */
  static final class Abandoned extends RuntimeException {
    Abandoned() {
      super("the request gave up before its dossier was sent to Redis; nothing was sent", null, false, false);
    }
  }

  private record Item<I, R>(I value, BooleanSupplier abandoned, Runnable sent, Promise<R> reply) {
  }

  private static final class Lane<K, I, R> {
    private final K key;
    private final ArrayDeque<Item<I, R>> waiting = new ArrayDeque<>();
    private int inFlight;
    private boolean scheduled;

    private Lane(K key) {
      this.key = key;
    }
  }

  private final int maxItems;
  private final int maxCalls;
  /** Sends one call with these items of this lane; answers one reply per item, in their order. */
  private final BiFunction<K, List<I>, Future<List<R>>> call;
  /** Runs a task once the event loop's current turn is done (its task queue). */
  private final Consumer<Runnable> defer;
  private final Map<K, Lane<K, I, R>> lanes = new HashMap<>();

  EnqueueBatches(int maxItems, int maxCalls, Consumer<Runnable> defer,
                 BiFunction<K, List<I>, Future<List<R>>> call) {
    this.maxItems = maxItems;
    this.maxCalls = maxCalls;
    this.defer = defer;
    this.call = call;
  }

  /**
   * Queues the item in its lane: sent at the end of this turn if the lane is idle or the item fills a call, else with
   * the next call.
   */
  Future<R> add(K key, I value, BooleanSupplier abandoned) {
    return add(key, value, abandoned, () -> { });
  }

  /** The same; {@code sent} runs when the item goes into a call. */
  Future<R> add(K key, I value, BooleanSupplier abandoned, Runnable sent) {
    Lane<K, I, R> lane = lanes.computeIfAbsent(key, Lane::new);
    Promise<R> reply = Promise.promise();
    lane.waiting.add(new Item<>(value, abandoned, sent, reply));
    if (!lane.scheduled && mayCall(lane)) {
      lane.scheduled = true;
      defer.accept(() -> {
        lane.scheduled = false;
        send(lane);
      });
    }
    return reply.future();
  }

  /** Whether the lane may send a call now: none in flight, or a full call waiting and room for one more. */
  private boolean mayCall(Lane<K, I, R> lane) {
    return lane.inFlight == 0 || lane.inFlight < maxCalls && lane.waiting.size() >= maxItems;
  }

  /** Sends what may go now: a call with what waits, more while full calls wait and there is room for them. */
  private void send(Lane<K, I, R> lane) {
    while (!lane.waiting.isEmpty() && mayCall(lane)) {
      sendOne(lane);
    }
  }

  private void sendOne(Lane<K, I, R> lane) {
    List<Item<I, R>> items = new ArrayList<>(Math.min(maxItems, lane.waiting.size()));
    while (items.size() < maxItems && !lane.waiting.isEmpty()) {
      Item<I, R> item = lane.waiting.poll();
      if (item.abandoned().getAsBoolean()) {
        item.reply().tryFail(new Abandoned());
      } else {
        item.sent().run();
        items.add(item);
      }
    }
    if (items.isEmpty()) {
      return;
    }
    lane.inFlight++;
    Future<List<R>> replies;
    try {
      replies = call.apply(lane.key, items.stream().map(Item::value).toList());
    } catch (RuntimeException e) {
      replies = Future.failedFuture(e);
    }
    replies.onComplete(done -> {
      lane.inFlight--;
      Throwable failure = done.failed() ? done.cause() : done.result().size() != items.size()
          ? new IllegalStateException(done.result().size() + " replies to a call of " + items.size()) : null;
      for (int i = 0; i < items.size(); i++) {
        if (failure == null) {
          items.get(i).reply().tryComplete(done.result().get(i));
        } else {
          items.get(i).reply().tryFail(failure);
        }
      }
      send(lane);
    });
  }
}
