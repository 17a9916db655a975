package vn.onewindow.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

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

  /** Bodies several words long, mostly ASCII like real ones, so the word skip meets its stray non-ASCII bytes. */
  @Property(tries = 3000)
  void agreesWithTheJdkDecoderOnMostlyAsciiBytes(@ForAll("mostlyAscii") byte[] bytes) {
    assertThat(PayloadGuard.isStrictUtf8(bytes)).as(HexFormat.of().formatHex(bytes))
        .isEqualTo(jdkAccepts(bytes));
  }

  /**
   * Every length to 20 (none, part of and beyond two eight-byte words), one or two sequences (valid, invalid, cut
   * short by the end) at every offset in an ASCII body: each position a word can start, end or be skipped past.
   */
  @Test
  void agreesWithTheJdkDecoderAtEveryOffsetOfTheWords() {
    byte[][] sequences = {
        {}, bytes(0xC3, 0xA9), bytes(0xE1, 0xBB, 0x87), bytes(0xF0, 0x9F, 0x98, 0x80), bytes(0xF4, 0x8F, 0xBF, 0xBF),
        bytes(0x80), bytes(0xBF), bytes(0xC0, 0x80), bytes(0xC1, 0xBF), bytes(0xE0, 0x9F, 0xBF),
        bytes(0xED, 0xA0, 0x80), bytes(0xF0, 0x8F, 0xBF, 0xBF), bytes(0xF4, 0x90, 0x80, 0x80), bytes(0xF5, 0x80),
        bytes(0xFF), bytes(0xE1, 0x41, 0x80), bytes(0xC3, 0xC3)};
    // after the first: one more character or error, so a word holds several sequences or resumes past one
    byte[][] seconds = {{}, bytes(0xC3, 0xA9), bytes(0xE1, 0xBB, 0x87), bytes(0x80), bytes(0xED, 0xA0, 0x80)};
    List<String> disagreements = new ArrayList<>();
    for (int length = 0; length <= 20; length++) {
      for (byte[] first : sequences) {
        for (byte[] second : seconds) {
          for (int at = 0; at <= length; at++) {
            for (int then = at; then <= length; then++) {
              byte[] body = new byte[length];
              Arrays.fill(body, (byte) 'a');
              place(first, body, at);
              place(second, body, then);
              if (PayloadGuard.isStrictUtf8(body) != jdkAccepts(body)) {
                disagreements.add(HexFormat.of().formatHex(body));
              }
            }
          }
        }
      }
    }
    assertThat(disagreements).isEmpty();
  }

  /** Random bytes biased to the boundaries that matter: lead bytes, continuation bytes and their edges. */
  @Provide
  Arbitrary<byte[]> nearlyUtf8() {
    return Arbitraries.oneOf(interestingBytes(), Arbitraries.bytes()).list().ofMaxSize(12).map(StrictUtf8Test::array);
  }

  @Provide
  Arbitrary<byte[]> mostlyAscii() {
    Arbitrary<Byte> ascii = Arbitraries.bytes().between((byte) 0, (byte) 0x7F);
    return Arbitraries.frequencyOf(Tuple.of(12, ascii), Tuple.of(2, interestingBytes()), Tuple.of(1, Arbitraries.bytes()))
        .list().ofMaxSize(48).map(StrictUtf8Test::array);
  }

  private static Arbitrary<Byte> interestingBytes() {
    return Arbitraries.of(0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
        0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF).map(Integer::byteValue);
  }

  private static byte[] array(List<Byte> list) {
    byte[] bytes = new byte[list.size()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = list.get(i);
    }
    return bytes;
  }

  private static byte[] bytes(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }

  /** As much of {@code sequence} as fits from {@code at}: past the end it is cut short, a truncated sequence. */
  private static void place(byte[] sequence, byte[] body, int at) {
    System.arraycopy(sequence, 0, body, at, Math.min(sequence.length, body.length - at));
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
