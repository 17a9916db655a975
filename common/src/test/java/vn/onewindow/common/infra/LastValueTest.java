package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LastValueTest {

  @Test
  void computesOncePerRunOfTheSameKeyAndAgainForAnotherKey() {
    List<String> computed = new ArrayList<>();
    LastValue<String, String> upper = new LastValue<>(key -> {
      computed.add(key);
      return key.toUpperCase();
    });

    assertThat(upper.get("a")).isEqualTo("A");
    assertThat(upper.get("a")).isEqualTo("A");
    assertThat(upper.get("b")).isEqualTo("B");
    assertThat(upper.get("a")).isEqualTo("A");

    assertThat(computed).containsExactly("a", "b", "a");
  }

  @Test
  void comparesKeysByValueNotIdentity() {
    List<Long> computed = new ArrayList<>();
    LastValue<Long, String> text = new LastValue<>(key -> {
      computed.add(key);
      return Long.toString(key);
    });

    assertThat(text.get(1_796_214_545L)).isEqualTo("1796214545");
    assertThat(text.get(Long.valueOf(1_796_214_545L))).isEqualTo("1796214545");

    assertThat(computed).hasSize(1);
  }
}
