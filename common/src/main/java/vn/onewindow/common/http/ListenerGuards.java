package vn.onewindow.common.http;

import com.sun.management.UnixOperatingSystemMXBean;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.ConnectionClosure;

/**
 * The transport the process's Vert.x runs on (epoll where it loads, else NIO), with what every listener gets below
 * Vert.x's HTTP server, out of its public API's reach: in Vert.x 5.0.10 {@code HttpServer#connectionHandler} fires only
 * once a connection's protocol is known (its first byte over HTTP/1, after the TLS handshake, at the client's first
 * SETTINGS over HTTP/2), so a silent connection, or one trickling an h2c preface or its first SETTINGS, was never seen
 * there. Vert.x binds each listener through its transport ({@code spi.transport.Transport#configure(NetServerOptions,
 * boolean, ServerBootstrap)}, a public SPI), once per port however many verticle instances share it; each listener gets
 * there its {@link ConnectionCap} ({@code security.max-connections}, counted per listener) and, when it has an idle
 * timeout, its {@link Http2HeadClock}.
 */
public final class ListenerGuards implements Transport {
  private static final Logger LOG = LoggerFactory.getLogger(ListenerGuards.class);
  /**
   * Descriptors kept for the rest of the process when the limit is derived from the open-file limit: half of it, at most
   * this many. At rest a hub holds some 60 (its jars, event loops, logs); its pools grow it under load by what they are
   * sized to (config/hub.properties: a few hundred at most), so 4,096 leave room to spare above a limit of 8,192, and
   * half of a small limit (256 in the tryout) still holds the pools of a loaded hub.
   */
  private static final int MOST_KEPT_FOR_THE_PROCESS = 4096;
  /** Where the JVM cannot tell its open-file limit (not a Unix). */
  private static final int WITHOUT_FILE_LIMIT = 4096;

  private final Transport delegate;
  private final GuardedTransport guarded;
  private final int limit;
  private final AtomicInteger open = new AtomicInteger();
  private final MeterRegistry registry;

  private ListenerGuards(Transport delegate, int limit, MeterRegistry registry) {
    this.delegate = delegate;
    this.limit = limit;
    this.registry = registry;
    this.guarded = new GuardedTransport(delegate.name(), delegate.implementation(), this::guards);
    Gauge.builder(MeterNames.CONNECTIONS_OPEN, open, AtomicInteger::get)
        .description("Client connections open on the process's listeners").register(registry);
    Gauge.builder(MeterNames.CONNECTIONS_LIMIT, () -> limit)
        .description("Each listener's bound on its open connections").register(registry);
  }

  /**
   * The native transport where it loads, else NIO (what {@code VertxOptions#setPreferNativeTransport} chose), guarded.
   * {@code maxConnections}: {@code security.max-connections}, 0 to derive it from the open-file limit.
   */
  public static ListenerGuards of(int maxConnections, MeterRegistry registry) {
    Transport preferred = Transport.nativeTransport();
    Transport chosen = preferred != null && preferred.available() ? preferred : Transport.NIO;
    return new ListenerGuards(chosen, maxConnections > 0 ? maxConnections : derivedLimit(fileLimit()), registry);
  }

  /**
   * The transport a Vert.x built on guards runs on ("epoll", "nio"): {@code Vertx#isNativeTransportEnabled} says true of
   * any transport but Vert.x's own NIO class, this one included.
   */
  public static String transportName(Vertx vertx) {
    return ((VertxInternal) vertx).transport() instanceof GuardedTransport guarded ? guarded.name()
        : vertx.isNativeTransportEnabled() ? "native" : "nio";
  }

  /** Each listener's bound on its open connections. */
  public int limit() {
    return limit;
  }

  /** The open-file limit less what the rest of the process keeps (see {@link #MOST_KEPT_FOR_THE_PROCESS}). */
  static int derivedLimit(long fileLimit) {
    long kept = Math.min(fileLimit / 2, MOST_KEPT_FOR_THE_PROCESS);
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, fileLimit - kept));
  }

  private static long fileLimit() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : WITHOUT_FILE_LIMIT;
  }

  private ChannelHandler guards(NetServerOptions options, EventLoopGroup loops) {
    Duration idle = Duration.ofMillis(options.getIdleTimeoutUnit().toMillis(options.getIdleTimeout()));
    Http2HeadClock clock = idle.isZero() ? null
        : new Http2HeadClock(idle, closures(ConnectionClosure.HTTP2_NO_REQUEST));
    long files = fileLimit();
    if (limit > files) {
      LOG.warn("security.max-connections={} is above the process's open-file limit ({}): the descriptors run out "
          + "first, and with them the pools' connections; raise the limit (ulimit -n, LimitNOFILE) or lower the "
          + "setting", limit, files);
    }
    // over TLS the handshake would cost more than the refusal: past the bound, a reset
    OverLimitAnswer answer = options.isSsl() ? null
        : new OverLimitAnswer(limit, loops, closures(ConnectionClosure.OVER_LIMIT_ANSWERED));
    LOG.info("listener on port {}: at most {} open connections (open-file limit {}); past it {}", options.getPort(),
        limit, files, answer == null ? "a reset (TLS)"
            : "a 503 to at most " + OverLimitAnswer.budget(limit) + " at once, then a reset");
    return new ConnectionCap(limit, open, closures(ConnectionClosure.OVER_LIMIT), answer, clock);
  }

  private Counter closures(ConnectionClosure reason) {
    return Counter.builder(MeterNames.CONNECTIONS_CLOSED)
        .description("Client connections a listener closed by itself, by reason").tag(MeterNames.TAG_REASON,
            reason.tag()).register(registry);
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public boolean available() {
    return delegate.available();
  }

  @Override
  public Throwable unavailabilityCause() {
    return delegate.unavailabilityCause();
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return guarded;
  }
}
