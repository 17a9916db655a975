package vn.onewindow.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The integration side (a real connection, INFO) is AbortedRequestsTest's; here the DEBUG side and the rest. */
class ClientProtocolErrorFilterTest {
  private static final String PREFACE = "First received frame was not SETTINGS. Hex dump for first 5 bytes: 3037393132";
  private final LoggerContext context = new LoggerContext();
  private final ClientProtocolErrorFilter filter = new ClientProtocolErrorFilter();

  @Test
  void shouldDropOnlyVertxsErrorAboutAnHttp2ConnectionTheClientBroke() {
    String connection = ClientProtocolErrorFilter.CONNECTION_LOGGER;
    Http2Exception broken = Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, PREFACE);
    assertThat(decide(connection, PREFACE, null)).as("INFO: Vert.x passes the message alone")
        .isEqualTo(FilterReply.DENY);
    assertThat(decide(connection, PREFACE, broken)).as("DEBUG: with the exception").isEqualTo(FilterReply.DENY);
    assertThat(decide(connection, "Connection reset by peer", new IOException("Connection reset by peer")))
        .isEqualTo(FilterReply.NEUTRAL);
    assertThat(decide("vn.onewindow.hub.Hub", PREFACE, broken)).isEqualTo(FilterReply.NEUTRAL);
  }

  private FilterReply decide(String logger, String message, Throwable t) {
    return filter.decide(null, context.getLogger(logger), Level.ERROR, message, null, t);
  }
}
