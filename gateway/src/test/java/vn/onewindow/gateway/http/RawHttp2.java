package vn.onewindow.gateway.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/2 in clear text by prior knowledge, frame by frame on a socket: for what no client library sends (a stream
 * reset mid-body, a field value with CR or LF, frames out of order). Fields are written as HPACK literals without
 * indexing or Huffman coding (RFC 7541 6.2.2), so any byte reaches the server as written.
 */
final class RawHttp2 {
  static final int DATA = 0;
  static final int HEADERS = 1;
  static final int RST_STREAM = 3;
  static final int SETTINGS = 4;
  static final int GOAWAY = 7;
  static final int WINDOW_UPDATE = 8;
  static final int END_STREAM = 0x1;
  static final int END_HEADERS = 0x4;
  static final int PADDED = 0x8;
  static final int PRIORITY = 0x20;

  private RawHttp2() {
  }

  /** A connection with the preface and an empty SETTINGS frame sent. */
  static Socket connect(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    OutputStream out = socket.getOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(out, SETTINGS, 0, 0, new byte[0]);
    return socket;
  }

  /** A header block of {@code fields}, pairs of name and value, each an HPACK literal (ISO-8859-1 bytes). */
  static byte[] block(String... fields) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    for (int i = 0; i < fields.length; i += 2) {
      block.write(0);
      for (String s : new String[] {fields[i], fields[i + 1]}) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        integer(block, bytes.length);
        block.write(bytes, 0, bytes.length);
      }
    }
    return block.toByteArray();
  }

  /** An HPACK string length: a 7-bit prefix, then 7 bits a byte (RFC 7541 5.1), the Huffman bit clear. */
  private static void integer(ByteArrayOutputStream out, int value) {
    if (value < 127) {
      out.write(value);
      return;
    }
    out.write(127);
    for (value -= 127; value >= 128; value >>>= 7) {
      out.write(value & 0x7f | 0x80);
    }
    out.write(value);
  }

  static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
    int n = payload.length;
    out.write(new byte[] {(byte) (n >>> 16), (byte) (n >>> 8), (byte) n, (byte) type, (byte) flags,
        (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream});
    out.write(payload);
    out.flush();
  }

  /** What the server sends until it closes the connection (or 3 s); the problem's JSON is legible in its frames. */
  static String readAll(Socket socket) throws IOException {
    socket.setSoTimeout(3000);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) > 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException | java.net.SocketException ended) {
      // the server closed or reset the connection after its GOAWAY
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Stream 1 with the header block of {@code fields} and {@code body} (none: the HEADERS end the stream), and the
   * server's answer on it: its HEADERS decoded, its DATA, or its RST_STREAM (or the connection's GOAWAY).
   */
  static Answer exchange(int port, byte[] body, String... fields) {
    try (Socket socket = connect(port)) {
      OutputStream out = socket.getOutputStream();
      byte[] block = block(fields);
      try {
        frame(out, HEADERS, END_HEADERS | (body == null ? END_STREAM : 0), 1, block);
        for (int at = 0; body != null && at < body.length; at += 16_384) {
          int end = Math.min(body.length, at + 16_384);
          frame(out, DATA, end == body.length ? END_STREAM : 0, 1, Arrays.copyOfRange(body, at, end));
        }
      } catch (java.net.SocketException ended) {
        // the server ended the connection on the headers (a :method it will not parse) while the body was still
        // being written: the kernel answers the rest with a reset (a CI run on a busy box)
        return new Answer(new TreeMap<>(), "", "connection ended");
      }
      try {
        return read(socket);
      } catch (java.net.SocketException reset) {
        return new Answer(new TreeMap<>(), "", "connection ended");   // reset mid-frame: the same end
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Answer read(Socket socket) throws IOException {
    socket.setSoTimeout(5000);
    DataInputStream in = new DataInputStream(socket.getInputStream());
    DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
    Map<String, String> headers = new TreeMap<>();
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    while (true) {
      byte[] head = new byte[9];
      try {
        in.readFully(head);
      } catch (EOFException | SocketTimeoutException | java.net.SocketException ended) {
        return new Answer(headers, data.toString(StandardCharsets.UTF_8), "connection ended");
      }
      int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
      int type = head[3];
      int flags = head[4];
      int stream = ((head[5] & 0x7f) << 24) | (head[6] & 0xff) << 16 | (head[7] & 0xff) << 8 | head[8] & 0xff;
      byte[] payload = new byte[length];
      in.readFully(payload);
      if (type == SETTINGS && (flags & 0x1) == 0) {
        try {
          frame(socket.getOutputStream(), SETTINGS, 0x1, 0, new byte[0]);
        } catch (java.net.SocketException ended) {
          return new Answer(headers, data.toString(StandardCharsets.UTF_8), "connection ended");
        }
      } else if (type == GOAWAY) {
        return new Answer(headers, data.toString(StandardCharsets.UTF_8), "GOAWAY");
      } else if (stream == 1 && type == RST_STREAM) {
        return new Answer(headers, data.toString(StandardCharsets.UTF_8), "RST_STREAM " + payload[3]);
      } else if (stream == 1 && type == HEADERS) {
        headers.putAll(decode(decoder, fragment(flags, payload)));
      } else if (stream == 1 && type == DATA) {
        data.write(payload);
      }
      if (stream == 1 && (type == HEADERS || type == DATA) && (flags & END_STREAM) != 0) {
        return new Answer(headers, data.toString(StandardCharsets.UTF_8), null);
      }
    }
  }

  /** A HEADERS frame's block fragment: its padding (PADDED) and priority fields (PRIORITY, which Vert.x sets) off. */
  private static byte[] fragment(int flags, byte[] payload) {
    int start = (flags & PADDED) != 0 ? 1 : 0;
    int padding = (flags & PADDED) != 0 ? payload[0] & 0xff : 0;
    start += (flags & PRIORITY) != 0 ? 5 : 0;
    return Arrays.copyOfRange(payload, start, payload.length - padding);
  }

  private static Map<String, String> decode(DefaultHttp2HeadersDecoder decoder, byte[] block) throws IOException {
    try {
      Http2Headers decoded = decoder.decodeHeaders(1, Unpooled.wrappedBuffer(block));
      Map<String, String> fields = new TreeMap<>();
      decoded.forEach(field -> fields.put(field.getKey().toString(), field.getValue().toString()));
      return fields;
    } catch (Http2Exception e) {
      throw new IOException("the server's header block could not be decoded", e);
    }
  }

  /** The next frame the server sends. */
  static Frame next(DataInputStream in) throws IOException {
    byte[] head = new byte[9];
    in.readFully(head);
    int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
    int stream = ((head[5] & 0x7f) << 24) | (head[6] & 0xff) << 16 | (head[7] & 0xff) << 8 | head[8] & 0xff;
    byte[] payload = new byte[length];
    in.readFully(payload);
    return new Frame(head[3] & 0xff, head[4] & 0xff, stream, payload);
  }

  /** One frame: its type, flags, stream and payload. */
  record Frame(int type, int flags, int stream, byte[] payload) {
  }

  /** Stream 1's answer: its fields (":status" among them), its body, and how it ended when not by END_STREAM. */
  record Answer(Map<String, String> headers, String body, String ended) {
  }
}
