package vn.onewindow.hub;

import java.io.IOException;
import java.net.BindException;
import vn.onewindow.common.config.HttpConfig;
import vn.onewindow.common.config.Settings;

/** A start that cannot go on, said in one line (the message) that names the cause and the knob to look at. */
public final class StartRefused extends RuntimeException {
  StartRefused(String message) {
    super(message);
  }

  /**
   * A listener that could not bind, naming the address and its knobs; the bare "bind(..) failed with error(-98):
   * Address already in use" named neither (ops QA); null for any other failure.
   */
  static StartRefused ofBindFailure(String listener, HttpConfig http, Exception failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      // NIO's java.net.BindException; epoll's NativeIoException, "bind(..) failed with error(-98): Address..."
      if (t instanceof BindException || t instanceof IOException && message.startsWith("bind(")) {
        String why = message.replaceFirst("^bind\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
        // a port in use is the port's; an address the machine lacks, or a port it forbids, may be either knob's
        String knobs = why.contains("already in use") ? Settings.knob("http.port")
            : "http.host and http.port, env " + Settings.envName("http.host") + ", " + Settings.envName("http.port");
        return new StartRefused(listener + " cannot listen on " + http.host() + ":" + http.port()
            + " (" + knobs + "): " + why);
      }
    }
    return null;
  }
}
