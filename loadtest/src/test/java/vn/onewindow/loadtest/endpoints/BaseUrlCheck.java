package vn.onewindow.loadtest.endpoints;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import vn.onewindow.loadtest.config.LoadConfig;

/**
 * Before any load, against a hub the run did not start: something must answer HTTP at every base URL (any status: a
 * hub draining says 503), as the reconciliation's database must be readable. A wrong --base-url otherwise got the
 * whole profile as refused connections, and a verdict only after it.
 */
public final class BaseUrlCheck {

  private BaseUrlCheck() {
  }

  public static void check(LoadConfig config) {
    HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
        .connectTimeout(Duration.ofSeconds(5)).build();
    for (String url : config.baseUrls) {
      HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/health/live")).timeout(Duration.ofSeconds(10))
          .GET().build();
      try {
        http.send(request, HttpResponse.BodyHandlers.discarding());
      } catch (javax.net.ssl.SSLException e) {
        // a TLS hub whose certificate this JVM does not trust (Gatling trusts any): something listens, which is all
      } catch (IOException e) {
        // the JDK's ConnectException (refused, unreachable) has no message
        String why = e instanceof java.net.ConnectException ? "could not connect"
            : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        throw new IllegalStateException("nothing answers HTTP at " + url + " (--base-url / -DbaseUrl): " + why
            + "; nothing was sent to the hub");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while checking " + url, e);
      }
    }
  }
}
