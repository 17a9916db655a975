package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static vn.onewindow.gateway.security.SecurityTestSupport.PORTAL_KEY;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;
import static vn.onewindow.gateway.security.SecurityTestSupport.dossierOf;
import static vn.onewindow.gateway.security.SecurityTestSupport.post;
import static vn.onewindow.gateway.security.SecurityTestSupport.randomCitizenId;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.onewindow.gateway.GatewayFixture;

/** HTTPS with a certificate made at test time: a real TLS handshake that trusts it, HTTP/2 negotiated by ALPN. */
class TlsTest {
  private static final SelfSignedCertificate CERTIFICATE = SelfSignedCertificate.create("localhost");
  private static GatewayFixture gw;
  private long queuedBefore;

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of("security.tls.enabled", "true",
        "security.tls.cert-file", CERTIFICATE.certificatePath(),
        "security.tls.key-file", CERTIFICATE.privateKeyPath()));
  }

  @AfterAll
  static void stop() {
    gw.close();
    CERTIFICATE.delete();
  }

  @BeforeEach
  void countQueue() {
    queuedBefore = gw.queued();
  }

  @Test
  void shouldNegotiateHttp2ViaAlpnAndSendHsts() {
    WebClient h2 = client(HttpVersion.HTTP_2, true);

    HttpResponse<Buffer> response = post(h2, Map.of("X-Api-Key", PORTAL_KEY), dossierOf(randomCitizenId()).encode());

    assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
    assertThat(response.getHeader("Strict-Transport-Security")).isEqualTo("max-age=31536000; includeSubDomains");
    SecurityTestSupport.assertSecurityHeaders(response);
    String id = response.bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> status = SecurityTestSupport.send(h2, HttpMethod.GET, "/v1/dossiers/" + id,
        Map.of("X-Api-Key", PORTAL_KEY), null);
    assertThat(status.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(status.statusCode()).isEqualTo(200);
    assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
  }

  @Test
  void shouldServeHttp11OverTlsToClientsWithoutAlpn() {
    WebClient h1 = client(HttpVersion.HTTP_1_1, false);

    HttpResponse<Buffer> response = post(h1, Map.of("X-Api-Key", PORTAL_KEY), dossierOf(randomCitizenId()).encode());
    HttpResponse<Buffer> anonymous = post(h1, Map.of(), dossierOf(randomCitizenId()).encode());

    assertThat(response.version()).isEqualTo(HttpVersion.HTTP_1_1);
    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(response.getHeader("Strict-Transport-Security")).startsWith("max-age=");
    assertProblem(anonymous, 401, "unauthorized");
    assertThat(anonymous.getHeader("Strict-Transport-Security")).startsWith("max-age=");
    assertThat(gw.queued()).isEqualTo(queuedBefore + 1);
  }

  @Test
  void shouldEnforceTheHeaderCountLimitOverHttp2Too() {
    HttpRequest<Buffer> request = client(HttpVersion.HTTP_2, true).post("/v1/dossiers")
        .putHeader("Content-Type", "application/json").putHeader("X-Api-Key", PORTAL_KEY);
    for (int i = 0; i < 80; i++) {
      request.putHeader("x-filler-" + i, "v");
    }

    HttpResponse<Buffer> response = request.sendBuffer(Buffer.buffer(dossierOf(randomCitizenId()).encode())).await();

    assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
    assertProblem(response, 431, "headers-too-large");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldFailTheHandshakeOfAClientThatDoesNotTrustTheCertificate() {
    WebClient untrusting = WebClient.create(gw.vertx, new WebClientOptions().setSsl(true).setVerifyHost(true)
        .setDefaultHost("localhost").setDefaultPort(gw.port));

    assertThatThrownBy(() -> untrusting.get("/health/live").send().await())
        .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  @Test
  void shouldNotAnswerPlainHttpOnTheTlsPort() {
    String answer = SecurityTestSupport.rawExchange(gw.port,
        "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

    assertThat(answer).doesNotContain("200").doesNotContain("UP");
  }

  @Test
  void shouldSendHstsOnAnswersTheRouterGivesBeforeAnyRoute() throws Exception {
    String answer = SecurityTestSupport.rawExchange(tlsSocket(),
        "OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

    assertThat(answer).startsWith("HTTP/1.1 404").contains("application/problem+json")
        .containsIgnoringCase("strict-transport-security: max-age=31536000; includeSubDomains")
        .containsIgnoringCase("x-content-type-options: nosniff");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /**
   * JSSE lets a client renegotiate a TLS 1.2 connection as often as it likes, each time a signature of the server's
   * key (a denial of service scanners flag; a TLS tryout renegotiated with {@code openssl s_client -tls1_2}, "R"):
   * the gateway refuses it. TLS 1.3 has no renegotiation.
   */
  @Test
  void shouldRefuseAClientInitiatedRenegotiation() throws Exception {
    SSLSocket socket = (SSLSocket) tlsSocket("TLSv1.2");
    String answer;
    try {
      socket.startHandshake(); // on an established TLS 1.2 connection: a renegotiation
      answer = SecurityTestSupport.rawExchange(socket, "GET /health/live HTTP/1.1\r\nHost: localhost\r\n"
          .concat("Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    } catch (java.io.IOException | java.io.UncheckedIOException refused) {
      answer = "<<refused: " + refused.getMessage() + ">>";
    }

    assertThat(answer).doesNotContain("200").doesNotContain("UP");
    assertThat(gw.queued()).isEqualTo(queuedBefore);
  }

  /**
   * TLS 1.2 only with forward secrecy and an AEAD cipher (Mozilla's "intermediate" list): the CBC suites with SHA-1 or
   * SHA-384 MACs that JSSE still enables (Lucky13-style padding oracles; scanners flag them) are refused; a GCM suite
   * and TLS 1.3 are served.
   */
  @Test
  void shouldServeTls12OnlyWithForwardSecrecyAndAnAeadCipher() throws Exception {
    for (String cbc : List.of("AES_128_CBC_SHA", "AES_256_CBC_SHA", "AES_128_CBC_SHA256", "AES_256_CBC_SHA384")) {
      String[] suites = {"TLS_ECDHE_RSA_WITH_" + cbc, "TLS_ECDHE_ECDSA_WITH_" + cbc};
      assertThatThrownBy(() -> tlsSocket(suites, "TLSv1.2").close()).as(cbc)
          .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }
    try (SSLSocket gcm = (SSLSocket) tlsSocket(new String[] {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, "TLSv1.2"); SSLSocket tls13 = (SSLSocket) tlsSocket("TLSv1.3")) {
      assertThat(gcm.getSession().getCipherSuite()).endsWith("_WITH_AES_128_GCM_SHA256");
      assertThat(tls13.getSession().getProtocol()).isEqualTo("TLSv1.3");
    }
  }

  /** A TLS socket to the gateway that trusts the test's certificate (HTTP/1.1: no ALPN), handshake done. */
  private static Socket tlsSocket(String... protocols) throws Exception {
    return tlsSocket(new String[0], protocols);
  }

  /** {@link #tlsSocket(String...)} offering only {@code suites} (all the JDK's when empty). */
  private static Socket tlsSocket(String[] suites, String... protocols) throws Exception {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (InputStream pem = Files.newInputStream(Path.of(CERTIFICATE.certificatePath()))) {
      trusted.setCertificateEntry("gateway", CertificateFactory.getInstance("X.509").generateCertificate(pem));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, trust.getTrustManagers(), null);
    SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", gw.port);
    if (protocols.length > 0) {
      socket.setEnabledProtocols(protocols);
    }
    if (suites.length > 0) {
      socket.setEnabledCipherSuites(suites);
    }
    socket.startHandshake();
    return socket;
  }

  private static WebClient client(HttpVersion version, boolean alpn) {
    return WebClient.create(gw.vertx, new WebClientOptions()
        .setSsl(true)
        .setUseAlpn(alpn)
        .setProtocolVersion(version)
        .setTrustOptions(new PemTrustOptions().addCertPath(CERTIFICATE.certificatePath()))
        .setVerifyHost(true)
        .setDefaultHost("localhost")
        .setDefaultPort(gw.port), new PoolOptions().setHttp1MaxSize(4));
  }
}
