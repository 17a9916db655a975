package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** PayloadGuard's in-place UTF-8 check decides exactly as the JDK's strict decoder, on any bytes. */
class StrictUtf8Test {

  @Property(tries = 5000)
  void agreesWithTheJdkDecoderOnRandomBytes(@ForAll("nearlyUtf8") byte[] bytes) {
    assertThat(PayloadGuard.isStrictUtf8(bytes)).as(HexFormat.of().formatHex(bytes))
        .isEqualTo(jdkAccepts(bytes));
  }

  @Property(tries = 2000)
  void acceptsEveryEncodedString(@ForAll String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    assertThat(PayloadGuard.isStrictUtf8(bytes)).isEqualTo(jdkAccepts(bytes));
  }

  /** Random bytes biased to the boundaries that matter: lead bytes, continuation bytes and their edges. */
  @Provide
  Arbitrary<byte[]> nearlyUtf8() {
    Arbitrary<Byte> interesting = Arbitraries.of(0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
        0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF).map(Integer::byteValue);
    Arbitrary<Byte> any = Arbitraries.bytes();
    return Arbitraries.oneOf(interesting, any).list().ofMaxSize(12).map(list -> {
      byte[] bytes = new byte[list.size()];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = list.get(i);
      }
      return bytes;
    });
  }

  private static boolean jdkAccepts(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
