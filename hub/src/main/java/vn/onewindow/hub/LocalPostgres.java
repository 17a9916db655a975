package vn.onewindow.hub;

import java.nio.file.Path;
import vn.onewindow.common.infra.EmbeddedServers;

/**
 * For {@code ops/run-cluster.sh} on a machine without PostgreSQL: the hub's embedded PostgreSQL alone, so several hub
 * processes can share it and any of them can be killed without taking the database along. Prints the URL to give
 * them, runs until SIGTERM. {@code java -cp hub/target/hub.jar vn.onewindow.hub.LocalPostgres <data dir> <port>}
 */
public final class LocalPostgres {
  private LocalPostgres() {
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: LocalPostgres <data dir> <port>");
      System.exit(2);
    }
    EmbeddedServers servers = new EmbeddedServers();
    String url = servers.startPostgres(Path.of(args[0]), Integer.parseInt(args[1]), true);
    // EmbeddedServers stops it when this JVM exits (SIGTERM)
    System.out.println("HUB_POSTGRES_URL=" + url);
    System.out.flush();
    Thread.currentThread().join();
  }
}
