package vn.onewindow.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * One real gateway per test class (started by the subclass's {@code @BeforeAll}), and the queue length before each
 * test, for the "nothing was enqueued" checks of refused requests.
 */
public abstract class OneGatewayPerClass {
  protected static GatewayFixture gw;
  protected long queuedBefore;

  @AfterAll
  static void stopGateway() {
    if (gw != null) {
      gw.close();
      gw = null;
    }
  }

  @BeforeEach
  void countQueue() {
    queuedBefore = gw.queued();
  }
}
