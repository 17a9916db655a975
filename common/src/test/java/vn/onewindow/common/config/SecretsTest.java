package vn.onewindow.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The URLs logged at start (the configuration line) carry no password, in whichever place a URL can hold one. */
class SecretsTest {
  @Test
  void shouldMaskPasswordsInTheUserInfoAndInTheQuery() {
    assertThat(Secrets.maskUrl("postgresql://hub:S3cret@db:5432/hub")).isEqualTo("postgresql://hub:***@db:5432/hub");
    assertThat(Secrets.maskUrl("postgresql://127.0.0.1:1/hub?user=hub&password=S3cretQueryPass&sslmode=require"))
        .isEqualTo("postgresql://127.0.0.1:1/hub?user=hub&password=***&sslmode=require");
    assertThat(Secrets.maskUrl("redis://default:S3cret@127.0.0.1:2/0?password=S3cretRedisQ"))
        .isEqualTo("redis://default:***@127.0.0.1:2/0?password=***");
    assertThat(Secrets.maskUrl("postgresql://db/hub?sslpassword=KeyPass")).isEqualTo("postgresql://db/hub?sslpassword=***");
    assertThat(Secrets.maskUrl("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
  }

  /**
   * Generated secrets are often base64 ('/' and '+') or hold an '@': the drivers refuse such a password unencoded,
   * and the start-up lines (the configuration, "could not start: ... Cannot parse invalid connection URI: ...") used
   * to print it, or its tail after the '@', in clear (security QA). Also a user name with an '@' (Azure's
   * "user@server") and each URL of a seed list.
   */
  @Test
  void shouldMaskPasswordsHoldingSlashesAtSignsAndOtherDelimiters() {
    assertThat(Secrets.maskUrl("postgresql://hub:S3cr/et+PW==@db:5432/hub")).isEqualTo("postgresql://hub:***@db:5432/hub");
    assertThat(Secrets.maskUrl("postgresql://hub:S3cr@etPW@db:5432/hub")).isEqualTo("postgresql://hub:***@db:5432/hub");
    assertThat(Secrets.maskUrl("postgresql://hub:a?b#c@db/hub")).isEqualTo("postgresql://hub:***@db/hub");
    assertThat(Secrets.maskUrl("postgresql://admin@server:S3cret@server.example/hub"))
        .isEqualTo("postgresql://admin@server:***@server.example/hub");
    assertThat(Secrets.maskUrl("redis://:R3d/isPW@10.0.0.5:6379,redis://:R3d/isPW@10.0.0.6:6379"))
        .isEqualTo("redis://:***@10.0.0.5:6379,redis://:***@10.0.0.6:6379");
    assertThat(Secrets.maskUrl("java.lang.IllegalArgumentException: Cannot parse invalid connection URI: "
        + "postgresql://hub:S3cr/etPW@127.0.0.1:1/hub"))
        .isEqualTo("java.lang.IllegalArgumentException: Cannot parse invalid connection URI: "
            + "postgresql://hub:***@127.0.0.1:1/hub");
    assertThat(Secrets.maskUrl("postgresql://hub@db:5432/hub")).isEqualTo("postgresql://hub@db:5432/hub");
  }

  /**
   * Shapes a review found printed: a space in the password (the driver refuses the URL and quotes it whole), a '#'
   * or '&' in a query password (the driver takes "ab#cd"), on a line with more text after the URL.
   */
  @Test
  void shouldMaskPasswordsHoldingSpacesAndQueryPasswordsHoldingHashesOrAmpersands() {
    assertThat(Secrets.maskUrl("java.lang.IllegalArgumentException: Cannot parse invalid connection URI: "
        + "postgresql://hub:S3cr etPW@127.0.0.1:1/hub"))
        .isEqualTo("java.lang.IllegalArgumentException: Cannot parse invalid connection URI: "
            + "postgresql://hub:***@127.0.0.1:1/hub");
    assertThat(Secrets.maskUrl("postgresql://hub@db/hub?password=ab#cd")).isEqualTo("postgresql://hub@db/hub?password=***");
    assertThat(Secrets.maskUrl("postgresql://hub@db/hub?password=a&b#c&sslmode=require and more"))
        .isEqualTo("postgresql://hub@db/hub?password=***&sslmode=require and more");
    assertThat(Secrets.maskUrl("a: postgresql://hub:pw1@db/hub\nb: redis://:pw2@cache:6379"))
        .isEqualTo("a: postgresql://hub:***@db/hub\nb: redis://:***@cache:6379");
  }
}
