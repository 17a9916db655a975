package vn.onewindow.gateway.submit;

import vn.onewindow.gateway.admission.LimitDecision;
import vn.onewindow.gateway.http.HttpFailure;

/**
 * What a store answered to a submission. Business outcomes are values, not failures, so circuit breakers count
 * only real upstream failures (timeouts, lost connections) against a store.
 */
public sealed interface EnqueueResult {
  record Accepted(Receipt receipt) implements EnqueueResult {
  }

  record Conflict() implements EnqueueResult {
  }

  record Limited(LimitDecision decision) implements EnqueueResult {
  }

  /** A look-up that may not write (a replay check) found no earlier dossier for the Idempotency-Key. */
  record Absent() implements EnqueueResult {
  }

  /**
   * The key's record is now marked for the direct path (DossierQueue#reserve; nothing queued): the submission may be
   * written to PostgreSQL.
   */
  record Reserved() implements EnqueueResult {
  }

  /**
   * The key is marked for the direct path (by this gateway or another): its dossier is, or is about to be, in
   * PostgreSQL, and only PostgreSQL's answer (DirectWriter#write, serialised per key) may be given. Nothing queued.
   */
  record Direct() implements EnqueueResult {
  }

  /**
   * Nothing queued: the partition's counters are not known to be Redis's own (its epoch marker is missing: Redis lost
   * its data, or this is a fresh install), so no number was issued. Seed them (CodeSequences) and call again.
   */
  record Unseeded() implements EnqueueResult {
  }

  /**
   * Nothing queued: the counters could not be seeded because PostgreSQL did not answer ({@code failure}, the 503 to
   * send; its own breaker counted it). Redis answered every call: a value, so the queue's breaker stays closed.
   */
  record NotSeeded(HttpFailure failure) implements EnqueueResult {
  }

  /**
   * Nothing queued: the call reached Redis after the request's deadline (enqueue-dossier.lua), when the gateway may
   * already have answered the request another way. Certain, unlike a timeout: the script ran and queued nothing.
   */
  record Expired() implements EnqueueResult {
  }

  /** Queued (or replayed), but fewer than redis.min-replicas-ack replicas confirmed it in time. */
  record Unconfirmed(Receipt receipt, int acknowledged) implements EnqueueResult {
  }
}
