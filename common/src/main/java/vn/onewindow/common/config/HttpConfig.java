package vn.onewindow.common.config;

public record HttpConfig(String host, int port, int instances, long bodyLimitBytes, String publicBaseUrl) {

  public static HttpConfig from(Settings s) {
    String base = s.string("http.public-base-url");
    if (!base.isEmpty() && !base.matches("https?://[^\\s]+")) {
      throw s.invalid("http.public-base-url", base, "must be empty or an http(s) URL");
    }
    int instances = s.intIn("http.instances", 0, 64);
    return new HttpConfig(
        s.nonBlank("http.host"),
        s.intIn("http.port", 0, 65535),
        instances == 0 ? Runtime.getRuntime().availableProcessors() : instances,
        s.longIn("http.body-limit-bytes", 1024, 64L * 1024 * 1024),
        base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
  }

  public HttpConfig withPort(int port) {
    return new HttpConfig(host, port, instances, bodyLimitBytes, publicBaseUrl);
  }
}
