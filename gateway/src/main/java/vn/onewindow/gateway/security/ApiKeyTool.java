package vn.onewindow.gateway.security;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Registers a frontend's key: prints a new random key (hand it to the client over a secure channel, never store it)
 * and the {@code sha256:} line to put in the client's {@code keyHashes} in clients.json.
 *
 * <pre>
 * java -cp hub/target/hub.jar vn.onewindow.gateway.security.ApiKeyTool          # new random key + its hash
 * echo -n "$KEY" | java -cp hub/target/hub.jar vn.onewindow.gateway.security.ApiKeyTool -   # hash a given key
 * </pre>
 * Reading an existing key from standard input keeps it out of the shell history and the process list.
 */
public final class ApiKeyTool {
  private ApiKeyTool() {
  }

  public static void main(String[] args) throws IOException {
    System.exit(run(args, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out,
        System.err));
  }

  static int run(String[] args, BufferedReader in, PrintStream out, PrintStream err) throws IOException {
    String key;
    if (args.length == 0) {
      key = ApiKeys.generate();
      out.println("key  " + key);
    } else if (args.length == 1 && "-".equals(args[0])) {
      String line = in.readLine();
      key = line == null ? "" : line.strip();
    } else {
      err.println("usage: ApiKeyTool        print a new random key and its hash");
      err.println("       ApiKeyTool -      hash the key read from standard input");
      return 2;
    }
    if (!ApiKeys.isPresentable(key)) {
      err.println("a key must be 8 to 256 printable ASCII characters without spaces");
      return 1;
    }
    if (key.length() < 32) {
      err.println("warning: keys shorter than 32 characters are guessable; prefer a generated one");
    }
    out.println("hash " + ApiKeys.hash(key));
    return 0;
  }
}
