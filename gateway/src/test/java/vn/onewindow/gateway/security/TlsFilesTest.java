package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onewindow.common.config.ConfigException;
import vn.onewindow.common.config.SecurityConfig;
import vn.onewindow.common.config.Settings;

/**
 * The TLS files are read when the configuration is (a TLS tryout): a key that is not the certificate's, an expired
 * certificate, an encrypted key or a file holding no PEM were each found only after the embedded servers had started,
 * as a bare "could not start: java.lang.RuntimeException: Missing ... delimiter" naming neither setting nor file, or
 * not at all: a mismatched key gave a hub that said ready and failed every handshake.
 */
class TlsFilesTest {
  private static final long DAY = 86_400_000L;
  private static SelfSignedCertificate good;
  private static SelfSignedCertificate other;
  private static SelfSignedCertificate expired;

  @TempDir
  Path dir;

  @BeforeAll
  static void certificates() throws Exception {
    long now = System.currentTimeMillis();
    good = new SelfSignedCertificate("localhost");
    other = new SelfSignedCertificate("localhost");
    expired = new SelfSignedCertificate("localhost", new Date(now - 400 * DAY), new Date(now - 30 * DAY));
  }

  @AfterAll
  static void delete() {
    good.delete();
    other.delete();
    expired.delete();
  }

  @Test
  void shouldAcceptACertificateWithItsOwnKey() {
    SecurityConfig config = tls(path(good.certificate()), path(good.privateKey()));

    assertThat(config.tls().enabled()).isTrue();
  }

  @Test
  void shouldRefuseAKeyThatIsNotTheCertificatesNamingBothSettings() {
    assertThatThrownBy(() -> tls(path(good.certificate()), path(other.privateKey())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("security.tls.key-file='" + path(other.privateKey()) + "'")
        .hasMessageContaining("does not match the certificate of security.tls.cert-file");
  }

  /**
   * A certificate issued by a CA whose clock runs a minute ahead of this host's (notBefore in the near future) is no
   * reason to refuse the start: clients with the CA's time accept it. One valid only from tomorrow is a mistake.
   */
  @Test
  void shouldTolerateAMinuteOfClockSkewOnNotBeforeButNotADay() throws Exception {
    long now = System.currentTimeMillis();
    SelfSignedCertificate justIssued = new SelfSignedCertificate("localhost", new Date(now + 60_000),
        new Date(now + 90 * DAY));
    SelfSignedCertificate tomorrow = new SelfSignedCertificate("localhost", new Date(now + DAY),
        new Date(now + 90 * DAY));
    try {
      assertThat(tls(path(justIssued.certificate()), path(justIssued.privateKey())).tls().enabled()).isTrue();
      assertThatThrownBy(() -> tls(path(tomorrow.certificate()), path(tomorrow.privateKey())))
          .isInstanceOf(ConfigException.class).hasMessageContaining("not valid before");
    } finally {
      justIssued.delete();
      tomorrow.delete();
    }
  }

  @Test
  void shouldRefuseAnExpiredCertificate() {
    assertThatThrownBy(() -> tls(path(expired.certificate()), path(expired.privateKey())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("security.tls.cert-file='" + path(expired.certificate()) + "'")
        .hasMessageContaining("expired on");
  }

  @Test
  void shouldRefuseFilesHoldingNoPemNamingTheSettingAndFile() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");

    assertThatThrownBy(() -> tls(empty.toString(), path(good.privateKey())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("security.tls.cert-file='" + empty + "'")
        .hasMessageContaining("-----BEGIN CERTIFICATE-----");
    assertThatThrownBy(() -> tls(path(good.certificate()), garbage.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("security.tls.key-file='" + garbage + "'")
        .hasMessageContaining("-----BEGIN PRIVATE KEY-----");
    // the two files given the wrong way round
    assertThatThrownBy(() -> tls(path(good.privateKey()), path(good.certificate())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("security.tls.cert-file='" + path(good.privateKey()) + "'");
  }

  @Test
  void shouldRefuseAnEncryptedKeySayingSo() throws Exception {
    Path encrypted = Files.writeString(dir.resolve("encrypted.key"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI\n"
            + "-----END ENCRYPTED PRIVATE KEY-----\n");

    assertThatThrownBy(() -> tls(path(good.certificate()), encrypted.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("security.tls.key-file='" + encrypted + "'")
        .hasMessageContaining("encrypted");
  }

  private static SecurityConfig tls(String cert, String key) {
    return SecurityConfig.from(Settings.load(Map.of("HUB_SECURITY_TLS_ENABLED", "true",
        "HUB_SECURITY_TLS_CERT_FILE", cert, "HUB_SECURITY_TLS_KEY_FILE", key)));
  }

  private static String path(java.io.File file) {
    return file.getAbsolutePath();
  }
}
