package vn.onewindow.common.infra;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@code postgresql://} URL (postgres.url, postgres.read-url) read as libpq reads it, for both clients the hub opens
 * on it: the Vert.x pools and the JDBC connections of Flyway and the compatibility check. Each of those libraries reads
 * only part of a libpq URL and drops the rest without a word: Vert.x 5.0.10 ignored sslrootcert/sslcert/sslkey and,
 * given a search_path, replaced its default startup properties (client_encoding, DateStyle, extra_float_digits,
 * application_name) with it (PgConnectionUriParser puts a new properties map); the JDBC URL built from it dropped
 * search_path (Flyway migrated into public while the pools read the configured schema) and broke an IPv6 host. So the
 * parameters are read here once, every one the hub does not honour on both sides is refused by name, and both clients
 * are given the same host, schema and TLS (PostgresUrlTest, PostgresTlsFilesTest).
 */
public final class PostgresUrl {
  /** The parameters both clients honour (README, postgres.url); any other is refused at start. */
  static final Set<String> ACCEPTED = new TreeSet<>(Set.of("host", "hostaddr", "port", "user", "password", "dbname",
      "sslmode", "sslrootcert", "sslcert", "sslkey", "search_path", "options", "application_name"));

  private final PgConnectOptions connect;
  private final Map<String, String> parameters;
  private final PostgresTls tls;

  private PostgresUrl(PgConnectOptions connect, Map<String, String> parameters, PostgresTls tls) {
    this.connect = connect;
    this.parameters = parameters;
    this.tls = tls;
  }

  /**
   * The URL's settings; IllegalArgumentException naming the parameter for one the hub does not honour, or a
   * certificate or key file (sslrootcert, sslcert, sslkey) that cannot be read: refused at start, not at the first
   * connection's TLS handshake.
   */
  public static PostgresUrl parse(String url) {
    Map<String, String> parameters = parameters(url);
    for (String name : parameters.keySet()) {
      if (!ACCEPTED.contains(name)) {
        throw new IllegalArgumentException("parameter " + name + " is not honoured by the hub (accepted: "
            + String.join(", ", ACCEPTED) + ")");
      }
    }
    PgConnectOptions connect;
    try {
      connect = PgConnectOptions.fromUri(url);
    } catch (IllegalArgumentException e) {
      // Vert.x's message quotes the whole URL, password included; its cause says what is wrong
      throw new IllegalArgumentException("not a URL of the form postgresql://[user[:password]@]host[:port][/dbname]"
          + "[?parameters]" + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
    }
    // Vert.x's defaults, and the URL's search_path, options or application_name over them
    Map<String, String> properties = new HashMap<>(PgConnectOptions.DEFAULT_PROPERTIES);
    properties.putAll(connect.getProperties());
    connect.setProperties(properties);
    return new PostgresUrl(connect, parameters, PostgresTls.of(connect.getSslMode(), parameters));
  }

  /** The query's parameters, names in lower case and values decoded, as Vert.x's parser reads them. */
  private static Map<String, String> parameters(String url) {
    Map<String, String> parameters = new LinkedHashMap<>();
    int query = url.indexOf('?');
    if (query < 0) {
      return parameters;
    }
    for (String pair : url.substring(query + 1).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = (eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
      parameters.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8));
    }
    return parameters;
  }

  /** The Vert.x connect options: a copy each call, with the URL's TLS. */
  public PgConnectOptions connectOptions() {
    PgConnectOptions copy = new PgConnectOptions(connect);
    return tls.applyTo(copy);
  }

  /**
   * The JDBC form: host (bracketed when IPv6), port and database as the pools see them; sslmode with the same trust
   * and client certificate through {@link PostgresTls.JdbcSocketFactory}, which reads sslrootcert, sslcert and sslkey
   * from the URL; the schema as pgjdbc's currentSchema (search_path) or options (libpq's
   * {@code options=-c search_path=...}), so Flyway migrates into the schema the pools query.
   */
  public PostgresClients.Jdbc jdbc() {
    String host = connect.getHost().contains(":") ? "[" + ipv6(connect.getHost()) + "]" : connect.getHost();
    StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(connect.getPort())
        .append('/').append(encode(connect.getDatabase()));
    Map<String, String> query = new LinkedHashMap<>();
    SslMode mode = connect.getSslMode();
    if (mode != SslMode.DISABLE) {
      query.put("sslmode", mode.value);
      query.put("sslfactory", PostgresTls.JdbcSocketFactory.class.getName());
      for (String file : PostgresTls.FILES) {
        if (parameters.containsKey(file)) {
          query.put(file, parameters.get(file));
        }
      }
    }
    if (parameters.containsKey("search_path")) {
      query.put("currentSchema", parameters.get("search_path"));
    }
    if (parameters.containsKey("options")) {
      query.put("options", parameters.get("options"));
    }
    if (parameters.containsKey("application_name")) {
      query.put("ApplicationName", parameters.get("application_name"));
    }
    char separator = '?';
    for (Map.Entry<String, String> e : query.entrySet()) {
      url.append(separator).append(e.getKey()).append('=').append(encode(e.getValue()));
      separator = '&';
    }
    return new PostgresClients.Jdbc(url.toString(), connect.getUser(), connect.getPassword());
  }

  /**
   * An IPv6 literal in the JDK's spelling (0:0:0:0:0:0:0:1 for ::1): pgjdbc's verify-full compares the host with the
   * certificate's IP addresses as text, which the JDK spells so, and refused a certificate for ::1 reached as [::1]
   * (PostgresTlsFilesTest).
   */
  private static String ipv6(String literal) {
    try {
      return InetAddress.getByName(literal).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("host [" + literal + "] is not an IPv6 address");
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
