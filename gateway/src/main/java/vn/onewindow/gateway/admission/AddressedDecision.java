package vn.onewindow.gateway.admission;

import io.vertx.redis.client.Response;
import vn.onewindow.common.config.ResilienceConfig.Limit;

/**
 * The two limits of a call with a publishable key: its caller's address's, asked first, and its client's, asked only
 * when the address's admits ({@code client} is null otherwise). The call is admitted when both admit it.
 */
public record AddressedDecision(LimitDecision address, LimitDecision client) {
  static final AddressedDecision UNLIMITED = new AddressedDecision(LimitDecision.UNLIMITED, LimitDecision.UNLIMITED);

  /** From the reply of rate-limit-address.lua: the address's decision, then the client's when it was asked. */
  static AddressedDecision fromGcra(Response reply, Limit address, Limit client) {
    return new AddressedDecision(LimitDecision.fromGcra(reply, 0, address),
        reply.size() > 4 ? LimitDecision.fromGcra(reply, 4, client) : null);
  }

  public boolean allowed() {
    return address.allowed() && client != null && client.allowed();
  }

  /** The address's limit refused the call (else the client's did, or it was admitted). */
  public boolean refusedByAddress() {
    return !address.allowed();
  }

  /**
   * The decision the answer's RateLimit-* headers tell: the one that refused, else the one nearer to refusing (less
   * remaining), so that a page sees its own budget and, on deadline day, the client's when that is the tighter.
   */
  public LimitDecision shown() {
    if (!address.allowed()) {
      return address;
    }
    if (!client.allowed() || address.limit() < 0) {
      return client;
    }
    return client.limit() >= 0 && client.remaining() < address.remaining() ? client : address;
  }
}
