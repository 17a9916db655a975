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
}
