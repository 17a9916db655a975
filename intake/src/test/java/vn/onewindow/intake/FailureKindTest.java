package vn.onewindow.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class FailureKindTest {

  private static PgException pg(String sqlState) {
    return new PgException("message quoting a value: Nguyễn Văn A", "ERROR", sqlState, "Failing row contains (...)");
  }

  @Test
  void dataAndIntegrityErrorsAreTheEntrysFault() {
    assertThat(FailureKind.of(pg("22P02"))).isEqualTo(FailureKind.DATA); // invalid text representation
    assertThat(FailureKind.of(pg("22P05"))).isEqualTo(FailureKind.DATA); // untranslatable character (\u0000)
    assertThat(FailureKind.of(pg("22021"))).isEqualTo(FailureKind.DATA); // NUL byte in text
    assertThat(FailureKind.of(pg("23514"))).isEqualTo(FailureKind.DATA); // check constraint
    assertThat(FailureKind.of(pg("23502"))).isEqualTo(FailureKind.DATA); // not null
    assertThat(FailureKind.of(pg("23505"))).isEqualTo(FailureKind.DATA); // unique (code)
  }

  @Test
  void unreachableOrOverloadedDatabaseIsTransient() {
    assertThat(FailureKind.of(pg("08006"))).isEqualTo(FailureKind.TRANSIENT); // connection failure
    assertThat(FailureKind.of(pg("53300"))).isEqualTo(FailureKind.TRANSIENT); // too many connections
    assertThat(FailureKind.of(pg("57P01"))).isEqualTo(FailureKind.TRANSIENT); // admin shutdown
    assertThat(FailureKind.of(pg("57014"))).isEqualTo(FailureKind.TRANSIENT); // query canceled
    assertThat(FailureKind.of(pg("40001"))).isEqualTo(FailureKind.TRANSIENT); // serialization failure
    assertThat(FailureKind.of(pg("40P01"))).isEqualTo(FailureKind.TRANSIENT); // deadlock
    assertThat(FailureKind.of(new ConnectException("Connection refused"))).isEqualTo(FailureKind.TRANSIENT);
    assertThat(FailureKind.of(ClosedConnectionException.INSTANCE)).isEqualTo(FailureKind.TRANSIENT);
    assertThat(FailureKind.of(new TimeoutException())).isEqualTo(FailureKind.TRANSIENT);
    assertThat(FailureKind.of(new VertxException("Connection closed", true))).isEqualTo(FailureKind.TRANSIENT);
  }

  @Test
  void everythingElseIsOther() {
    assertThat(FailureKind.of(pg("42P01"))).isEqualTo(FailureKind.OTHER); // undefined table
    assertThat(FailureKind.of(pg("42501"))).isEqualTo(FailureKind.OTHER); // insufficient privilege
    assertThat(FailureKind.of(pg("XX000"))).isEqualTo(FailureKind.OTHER); // internal error
    assertThat(FailureKind.of(pg("54000"))).isEqualTo(FailureKind.OTHER); // program limit exceeded
    assertThat(FailureKind.of(new VertxException(pg("23505")))).isEqualTo(FailureKind.DATA); // wrapped
  }

  @Test
  void descriptionsForLogsNeverQuoteTheDatabaseMessage() {
    assertThat(FailureKind.describe(pg("23514"))).isEqualTo("PgException[23514]");
    assertThat(FailureKind.describe(new ConnectException("Connection refused: /127.0.0.1:5432")))
        .isEqualTo("ConnectException: Connection refused: /127.0.0.1:5432");
    assertThat(FailureKind.describe(new IllegalArgumentException("value = [Nguyễn Văn A]")))
        .isEqualTo("IllegalArgumentException");
  }
}
