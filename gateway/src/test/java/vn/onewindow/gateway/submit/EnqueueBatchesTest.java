package vn.onewindow.gateway.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The group commit's rules, with calls the test answers itself and an event loop whose turns it ends itself (the
 * Redis side is GatewayApiTest's and EnqueueBatchingTest's): an idle lane sends at the end of the turn, everything
 * added in that turn together; one call in flight per lane while less than a full call waits, the items that wait go
 * together, at most the maximum per call; full calls go at once, up to the most calls in flight; abandoned items are
 * never sent, and a failed call fails exactly its own items.
 */
class EnqueueBatchesTest {
  /** One call the batcher made: its items, and the promise the test completes. */
  private record Sent(List<String> items, Promise<List<String>> reply) {
  }

  private final List<Sent> sent = new ArrayList<>();
  /** The tasks deferred to the end of the event loop's turn, which the test runs when it chooses. */
  private final List<Runnable> endOfTurn = new ArrayList<>();
  private final EnqueueBatches<String, String, String> batches = new EnqueueBatches<>(3, 2, endOfTurn::add, (lane, items) -> {
    Promise<List<String>> reply = Promise.promise();
    sent.add(new Sent(items, reply));
    return reply.future();
  });

  /** Ends the event loop's turn: runs what was deferred to it. */
  private void endTurn() {
    List<Runnable> tasks = new ArrayList<>(endOfTurn);
    endOfTurn.clear();
    tasks.forEach(Runnable::run);
  }

  @Test
  void anIdleLaneSendsWhatArrivedInOneTurnTogetherAtItsEnd() {
    Future<String> a = batches.add("p0", "a", () -> false);
    Future<String> b = batches.add("p0", "b", () -> false);
    assertThat(sent).as("nothing before the turn ends").isEmpty();
    assertThat(endOfTurn).as("one task for the lane, not one per item").hasSize(1);
    endTurn();
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).items()).containsExactly("a", "b");
    sent.get(0).reply().complete(List.of("A", "B"));
    assertThat(List.of(a.result(), b.result())).containsExactly("A", "B");
    assertThat(endOfTurn).isEmpty();
  }

  @Test
  void whatArrivesWhileACallIsInFlightGoesTogetherInTheNextCall() {
    Future<String> a = batches.add("p0", "a", () -> false);
    endTurn();
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).items()).containsExactly("a");
    Future<String> b = batches.add("p0", "b", () -> false);
    Future<String> c = batches.add("p0", "c", () -> false);
    endTurn();
    assertThat(sent).as("one call in flight per lane while less than a full call waits").hasSize(1);

    sent.get(0).reply().complete(List.of("A"));
    assertThat(a.result()).isEqualTo("A");
    assertThat(sent).hasSize(2);
    assertThat(sent.get(1).items()).as("in arrival order").containsExactly("b", "c");
    sent.get(1).reply().complete(List.of("B", "C"));
    assertThat(List.of(b.result(), c.result())).containsExactly("B", "C");
    assertThat(sent).hasSize(2);
  }

  @Test
  void aFullCallWaitingGoesAtTheEndOfTheTurnUpToTheMostCallsInFlight() {
    Future<String> a = batches.add("p0", "a", () -> false);
    endTurn();
    List<Future<String>> waiting = new ArrayList<>();
    for (String item : List.of("b", "c", "d", "e", "f", "g", "h")) {
      waiting.add(batches.add("p0", item, () -> false));
    }
    assertThat(sent).as("nothing before the turn ends").hasSize(1);
    endTurn();
    // a saturated event loop reads hundreds of submissions a turn: one call at a time made them wait for many round
    // trips (each a turn of that loop) and time out on a healthy Redis (overload drill, 5,000 connections)
    assertThat(sent).as("a full call goes beside the one in flight, and no more than two are").hasSize(2);
    assertThat(sent.get(1).items()).containsExactly("b", "c", "d");

    sent.get(1).reply().complete(List.of("B", "C", "D"));
    assertThat(sent).as("the next full call").hasSize(3);
    assertThat(sent.get(2).items()).containsExactly("e", "f", "g");
    sent.get(0).reply().complete(List.of("A"));
    assertThat(sent).as("less than a full call waits, and a call is in flight").hasSize(3);
    sent.get(2).reply().complete(List.of("E", "F", "G"));
    assertThat(sent).hasSize(4);
    assertThat(sent.get(3).items()).containsExactly("h");
    sent.get(3).reply().complete(List.of("H"));
    assertThat(a.result()).isEqualTo("A");
    assertThat(waiting).extracting(Future::result).containsExactly("B", "C", "D", "E", "F", "G", "H");
  }

  @Test
  void lanesDoNotWaitForEachOther() {
    batches.add("p0", "a", () -> false);
    batches.add("p1", "b", () -> false);
    endTurn();
    assertThat(sent).as("one call per lane, both in flight at once").extracting(Sent::items)
        .containsExactly(List.of("a"), List.of("b"));
  }

  @Test
  void anItemWhoseRequestGaveUpWhileWaitingIsNeverSent() {
    batches.add("p0", "a", () -> false);
    endTurn();
    AtomicBoolean gaveUp = new AtomicBoolean();
    Future<String> abandoned = batches.add("p0", "b", gaveUp::get);
    Future<String> kept = batches.add("p0", "c", () -> false);
    gaveUp.set(true);

    sent.get(0).reply().complete(List.of("A"));
    assertThat(sent.get(1).items()).containsExactly("c");
    assertThat(abandoned.failed()).isTrue();
    assertThat(abandoned.cause()).isInstanceOf(EnqueueBatches.Abandoned.class);
    sent.get(1).reply().complete(List.of("C"));
    assertThat(kept.result()).isEqualTo("C");
  }

  @Test
  void aFailedCallFailsItsOwnItemsAndTheLaneGoesOn() {
    Future<String> a = batches.add("p0", "a", () -> false);
    endTurn();
    Future<String> b = batches.add("p0", "b", () -> false);
    sent.get(0).reply().fail(new IllegalStateException("connection closed"));
    assertThat(a.cause()).hasMessage("connection closed");
    assertThat(b.isComplete()).as("b waits for its own call").isFalse();
    sent.get(1).reply().complete(List.of("B"));
    assertThat(b.result()).isEqualTo("B");
  }

  @Test
  void aReplyCountingOtherThanTheItemsFailsThemAll() {
    Future<String> a = batches.add("p0", "a", () -> false);
    endTurn();
    Future<String> b = batches.add("p0", "b", () -> false);
    Future<String> c = batches.add("p0", "c", () -> false);
    sent.get(0).reply().complete(List.of("A"));
    sent.get(1).reply().complete(List.of("B"));
    assertThat(b.cause()).hasMessageContaining("1 replies to a call of 2");
    assertThat(c.failed()).isTrue();
    assertThat(a.result()).isEqualTo("A");
  }

  @Test
  void aCallThatThrowsFailsItsItemsInsteadOfLeavingThemWaiting() {
    EnqueueBatches<String, String, String> throwing = new EnqueueBatches<>(3, 2, Runnable::run, (lane, items) -> {
      throw new IllegalArgumentException("no such partition");
    });
    Future<String> a = throwing.add("p0", "a", () -> false);
    assertThat(a.cause()).hasMessage("no such partition");
    Future<String> b = throwing.add("p0", "b", () -> false);
    assertThat(b.cause()).as("the lane is not left in flight").hasMessage("no such partition");
  }
}
