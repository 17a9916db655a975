package vn.onewindow.common.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.netty.handler.codec.http2.Http2Exception;
import org.slf4j.Marker;

/**
 * Drops Vert.x's ERROR about an HTTP/2 connection the client broke before any handler of the hub could take it (a
 * preface followed by anything but SETTINGS). Netty's message quotes the client's first bytes ("Hex dump for first
 * 5 bytes: 3037393132", the start of a citizen ID), and any client could write one ERROR per connection (with a
 * stack trace at DEBUG). The client gets its GOAWAY; it is the client's fault, as a broken HTTP/2 stream mid-body
 * is, which the hub answers without an ERROR too (README, Errors). Vert.x passes the exception only when its logger
 * is at DEBUG, so the message's hex dump of received bytes is what tells the case at INFO. Any other failure of a
 * connection is logged as before.
 */
public final class ClientProtocolErrorFilter extends TurboFilter {
  static final String CONNECTION_LOGGER = "io.vertx.core.net.impl.ConnectionBase";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                            Throwable t) {
    boolean clientBytes = t instanceof Http2Exception || format != null && format.contains("Hex dump");
    return clientBytes && logger.getName().equals(CONNECTION_LOGGER) ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
