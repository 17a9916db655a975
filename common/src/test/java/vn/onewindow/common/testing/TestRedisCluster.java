package vn.onewindow.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import vn.onewindow.common.dossier.PartitionTags;

/**
 * A real Redis Cluster of 3 masters and 3 replicas (Debian's redis-server 7.x) on free loopback ports, for tests
 * that need slots, redirects and failover. {@link #shared()} is one cluster per JVM for non-destructive tests;
 * {@link #startFresh()} gives a private one to kill nodes in (close it).
 *
 * <p>No persistence ({@code save ""}, {@code appendonly no}): starts are faster, nothing fsyncs on a shared 2-core
 * box, and a master restarted before its replica took over comes back <em>empty</em>, the worst case client code
 * must survive (lost functions, lost keys). {@code repl-diskless-sync-delay 0} so a replica syncs at once instead
 * of after the default 5 s.
 *
 * <p>Nodes run in the foreground as children of this JVM and are SIGKILLed by a shutdown hook; a JVM that is itself
 * SIGKILLed leaves them running, so each start first kills the nodes recorded under the directories of JVMs that
 * no longer exist (their pids only, and only if they still run redis-server).
 */
public final class TestRedisCluster implements AutoCloseable {
  public static final int NODE_TIMEOUT_MS = 2000;
  /** Failover needs node-timeout to flag the master, then an election; 10 x covers a loaded 2-core machine. */
  public static final Duration FAILOVER_DEADLINE = Duration.ofMillis(10L * NODE_TIMEOUT_MS);
  private static final Duration START_DEADLINE = Duration.ofSeconds(60);
  private static final String DIR_PREFIX = "hub-redis-cluster-";
  private static final String REDIS_SERVER = "redis-server";
  private static final String REDIS_CLI = "redis-cli";
  private static final Set<TestRedisCluster> LIVE = ConcurrentHashMap.newKeySet();
  private static TestRedisCluster shared;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(TestRedisCluster::stop), "redis-cluster-reaper"));
  }

  /** One node as every live node sees it ({@code CLUSTER NODES}); {@code slots} holds inclusive [from, to] pairs. */
  public record Node(String id, int port, boolean master, String masterId, List<int[]> slots) {
    public String url() {
      return "redis://127.0.0.1:" + port;
    }

    public boolean owns(int slot) {
      return slots.stream().anyMatch(r -> slot >= r[0] && slot <= r[1]);
    }
  }

  private final Path dir;
  private final List<Integer> ports;
  private final Map<Integer, Process> processes = new ConcurrentHashMap<>();
  private final Duration startupTime;

  private TestRedisCluster() {
    long begin = System.nanoTime();
    ensureInstalled();
    reapOrphans();
    try {
      dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")),
          DIR_PREFIX + ProcessHandle.current().pid() + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ports = freePortPairs(6);
    LIVE.add(this);
    try {
      ports.forEach(this::startNode);
      List<String> create = new ArrayList<>(List.of(REDIS_CLI, "--cluster", "create"));
      ports.forEach(p -> create.add("127.0.0.1:" + p));
      create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
      String out = run(create, START_DEADLINE);
      if (!out.contains("[OK] All 16384 slots covered")) {
        throw new IllegalStateException("redis-cli --cluster create failed: " + out);
      }
      awaitHealthy(START_DEADLINE);
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
    startupTime = Duration.ofNanos(System.nanoTime() - begin);
  }

  /** The JVM's cluster, started on first use and stopped at exit. Do not kill its nodes nor close it. */
  public static synchronized TestRedisCluster shared() {
    if (shared == null) {
      shared = new TestRedisCluster();
    }
    return shared;
  }

  /** A private cluster for destructive tests; the caller closes it. */
  public static TestRedisCluster startFresh() {
    return new TestRedisCluster();
  }

  /** Every node's URL, in start order; any of them works as a seed. */
  public List<String> seeds() {
    return ports.stream().map(p -> "redis://127.0.0.1:" + p).toList();
  }

  /** The seeds as one comma-separated value, as HUB_REDIS_URL takes them in cluster mode. */
  public String seedList() {
    return String.join(",", seeds());
  }

  /** From redis-cli --cluster create to cluster_state:ok on every node. */
  public Duration startupTime() {
    return startupTime;
  }

  public Path dir() {
    return dir;
  }

  public List<Node> masters() {
    return nodes().stream().filter(Node::master).toList();
  }

  public List<Node> replicas() {
    return nodes().stream().filter(n -> !n.master()).toList();
  }

  /** The master owning a slot now. */
  public Node masterOf(int slot) {
    return masters().stream().filter(n -> n.owns(slot)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no live master owns slot " + slot + " in " + dir));
  }

  public Node masterOf(String key) {
    return masterOf(PartitionTags.slot(key));
  }

  /** Live nodes as the first answering node sees them (failed nodes are left out). */
  public List<Node> nodes() {
    for (int port : livePorts()) {
      Optional<List<Node>> view = clusterNodes(port);
      if (view.isPresent()) {
        return view.get().stream().filter(n -> processes.containsKey(n.port())).toList();
      }
    }
    throw new IllegalStateException("no node of the cluster in " + dir + " answers");
  }

  /** SIGKILLs the master owning {@code key}'s slot and waits until a replica took the slot over everywhere. */
  public Duration killMaster(String key) {
    return killMaster(PartitionTags.slot(key));
  }

  /** SIGKILLs the master owning {@code slot} and returns how long until its replica is promoted and all is ok. */
  public Duration killMaster(int slot) {
    Node victim = masterOf(slot);
    long begin = System.nanoTime();
    killNode(victim.port());
    awaitPromotion(slot, victim.port());
    return Duration.ofNanos(System.nanoTime() - begin);
  }

  /** Waits until a node other than {@code oldMasterPort} owns {@code slot} and the cluster is healthy. */
  public void awaitPromotion(int slot, int oldMasterPort) {
    awaitCondition("a replica of " + oldMasterPort + " owns slot " + slot, FAILOVER_DEADLINE,
        () -> healthProblem().or(() -> ownerPort(slot) == oldMasterPort
            ? Optional.of("slot " + slot + " still on " + oldMasterPort) : Optional.empty()));
  }

  private int ownerPort(int slot) {
    try {
      return masterOf(slot).port();
    } catch (IllegalStateException failingOver) {
      return -1;
    }
  }

  /**
   * Waits until every replica of {@code master} has all it has written so far. Replication is asynchronous: a master
   * killed before that loses its last writes with it, which a test of something else must not trip over.
   */
  public void awaitReplicasCaughtUp(Node master) {
    long target = replicationOffset(cli(master.port(), "INFO", "replication"), "master_repl_offset:");
    // the master's own view first: a replica still in its first sync, or not yet listed as this master's replica in
    // CLUSTER NODES, would otherwise be skipped by the loop below, and a failover would promote it without the writes
    awaitCondition("a replica of " + master.port() + " online at offset " + target, FAILOVER_DEADLINE,
        () -> cli(master.port(), "INFO", "replication").lines()
            .filter(l -> l.matches("slave\\d+:.*") && l.contains("state=online"))
            .anyMatch(l -> ackedOffset(l) >= target) ? Optional.empty() : Optional.of("no replica online there yet"));
    for (Node replica : replicas().stream().filter(n -> master.id().equals(n.masterId())).toList()) {
      awaitCondition("replica " + replica.port() + " at offset " + target, FAILOVER_DEADLINE,
          () -> replicationOffset(cli(replica.port(), "INFO", "replication"), "slave_repl_offset:") >= target
              ? Optional.empty() : Optional.of("behind"));
    }
  }

  /** The offset a replica last acknowledged, from the master's "slaveN:ip=...,state=online,offset=N,lag=0" line. */
  private static long ackedOffset(String slaveLine) {
    for (String field : slaveLine.substring(slaveLine.indexOf(':') + 1).split(",")) {
      if (field.startsWith("offset=")) {
        return Long.parseLong(field.substring("offset=".length()).trim());
      }
    }
    return -1;
  }

  private static long replicationOffset(String info, String field) {
    return info.lines().filter(l -> l.startsWith(field))
        .mapToLong(l -> Long.parseLong(l.substring(field.length()).trim())).findFirst().orElse(-1);
  }

  /**
   * Moves one slot, with its keys, to another master as {@code redis-cli --cluster reshard} does (IMPORTING on the
   * target, MIGRATING on the source, MIGRATE, then SETSLOT NODE on every master), and waits until the cluster is
   * healthy again. Returns the master that owned it.
   */
  public Node moveSlot(int slot, Node to) {
    Node from = masterOf(slot);
    if (from.port() == to.port()) {
      throw new IllegalArgumentException("slot " + slot + " is already on " + to.port());
    }
    expectOk(cli(to.port(), "CLUSTER", "SETSLOT", Integer.toString(slot), "IMPORTING", from.id()));
    expectOk(cli(from.port(), "CLUSTER", "SETSLOT", Integer.toString(slot), "MIGRATING", to.id()));
    for (String keys = cli(from.port(), "CLUSTER", "GETKEYSINSLOT", Integer.toString(slot), "100"); !keys.isBlank();
         keys = cli(from.port(), "CLUSTER", "GETKEYSINSLOT", Integer.toString(slot), "100")) {
      List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", Integer.toString(to.port()), "", "0",
          "5000", "KEYS"));
      migrate.addAll(keys.lines().filter(k -> !k.isBlank()).toList());
      expectOk(cli(from.port(), migrate.toArray(String[]::new)));
    }
    expectOk(cli(to.port(), "CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", to.id()));
    expectOk(cli(from.port(), "CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", to.id()));
    for (Node master : masters()) {
      // a node just made a replica may still be listed as a master, without slots
      if (master.port() != to.port() && master.port() != from.port() && !master.slots().isEmpty()) {
        expectOk(cli(master.port(), "CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", to.id()));
      }
    }
    awaitHealthy(FAILOVER_DEADLINE);
    return from;
  }

  private static void expectOk(String reply) {
    if (!reply.strip().equals("OK")) {
      throw new IllegalStateException("redis-cli answered " + reply.strip());
    }
  }

  /** SIGKILL, no waiting: the cluster notices after {@value #NODE_TIMEOUT_MS} ms. */
  public void killNode(int port) {
    Process p = processes.remove(port);
    if (p == null) {
      throw new IllegalStateException("node " + port + " is not running");
    }
    p.destroyForcibly();
    waitFor(p);
  }

  /**
   * Starts a killed node again with its nodes.conf (same id, no data) and waits until the cluster is ok and every
   * node sees it. A master restarted before its failover keeps its slots, empty; one restarted after it rejoins as
   * replica of its successor.
   */
  public Duration restartNode(int port) {
    if (!ports.contains(port) || processes.containsKey(port)) {
      throw new IllegalStateException("node " + port + " is not a stopped node of this cluster");
    }
    long begin = System.nanoTime();
    startNode(port);
    awaitHealthy(FAILOVER_DEADLINE);
    return Duration.ofNanos(System.nanoTime() - begin);
  }

  /** SIGSTOPs a node (it stops answering but keeps its sockets); the returned handle SIGCONTs it. */
  public AutoCloseable freeze(int port) {
    long pid = processes.get(port).pid();
    run(List.of("kill", "-STOP", Long.toString(pid)), Duration.ofSeconds(5));
    return () -> run(List.of("kill", "-CONT", Long.toString(pid)), Duration.ofSeconds(5));
  }

  /** Waits until every live node reports cluster_state:ok, the same slot owners and no failed live node. */
  public void awaitHealthy(Duration timeout) {
    awaitCondition("cluster in " + dir + " healthy", timeout, this::healthProblem);
  }

  /** Runs redis-cli against one node and returns its raw output. */
  public String cli(int port, String... args) {
    List<String> command = new ArrayList<>(List.of(REDIS_CLI, "-h", "127.0.0.1", "-p", Integer.toString(port)));
    command.addAll(List.of(args));
    return run(command, Duration.ofSeconds(5));
  }

  @Override
  public void close() {
    if (this == shared) {
      return; // stopped by the shutdown hook: other test classes use it
    }
    stop();
  }

  private synchronized void stop() {
    processes.values().forEach(Process::destroyForcibly);
    processes.values().forEach(TestRedisCluster::waitFor);
    processes.clear();
    LIVE.remove(this);
    deleteRecursively(dir);
  }

  private void startNode(int port) {
    Path nodeDir = dir.resolve(Integer.toString(port));
    try {
      Files.createDirectories(nodeDir);
      ProcessBuilder builder = new ProcessBuilder(REDIS_SERVER,
          "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", nodeDir.toString(),
          "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
          "--cluster-node-timeout", Integer.toString(NODE_TIMEOUT_MS),
          // as production should run it: the healthy shards keep answering while one fails over (the default "yes"
          // refuses every key with CLUSTERDOWN from the moment a slot is uncovered until the promotion)
          "--cluster-require-full-coverage", "no",
          "--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0", "--daemonize", "no")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("redis.log").toFile()));
      Process process = builder.start();
      processes.put(port, process);
      Files.writeString(nodeDir.resolve("pid"), Long.toString(process.pid()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server on " + port, e);
    }
    awaitCondition("redis-server on " + port + " answers PING", Duration.ofSeconds(10),
        () -> cliQuiet(port, "PING").filter(s -> s.startsWith("PONG")).isPresent()
            ? Optional.empty() : Optional.of("no PONG"));
  }

  /** Empty when healthy, else what is wrong (for the timeout message). */
  private Optional<String> healthProblem() {
    Set<Integer> live = livePorts();
    String reference = null;
    for (int port : live) {
      String info = cliQuiet(port, "CLUSTER", "INFO").orElse("");
      if (!info.contains("cluster_state:ok") || !info.contains("cluster_slots_ok:16384")) {
        return Optional.of(port + " not ok: " + info.lines().limit(3).toList());
      }
      Optional<List<Node>> view = clusterNodes(port);
      if (view.isEmpty()) {
        return Optional.of(port + " does not answer CLUSTER NODES");
      }
      Set<Integer> seen = new HashSet<>();
      StringBuilder owners = new StringBuilder();
      for (Node n : view.get()) {
        seen.add(n.port());
        if (n.master() && !n.slots().isEmpty() && live.contains(n.port())) {
          owners.append(n.port()).append('=').append(n.slots().stream().map(r -> r[0] + "-" + r[1]).toList());
        }
      }
      if (!seen.containsAll(live)) {
        return Optional.of(port + " sees only " + seen);
      }
      if (reference == null) {
        reference = owners.toString();
      } else if (!reference.contentEquals(owners)) {
        return Optional.of("views differ: " + reference + " vs " + owners);
      }
      if (!info.contains("cluster_slots_pfail:0") || !info.contains("cluster_slots_fail:0")) {
        return Optional.of(port + " flags slots as failing");
      }
      String repl = cliQuiet(port, "INFO", "replication").orElse("");
      if (repl.contains("role:slave") && !repl.contains("master_link_status:up")) {
        return Optional.of("replica " + port + " link down");
      }
    }
    return Optional.empty();
  }

  /** Live nodes from one node's CLUSTER NODES, dropping nodes it flags failed or still handshaking. */
  private Optional<List<Node>> clusterNodes(int port) {
    return cliQuiet(port, "CLUSTER", "NODES").filter(s -> !s.isBlank() && !s.startsWith("ERR")).map(text -> {
      List<Node> nodes = new ArrayList<>();
      for (String line : text.split("\n")) {
        String[] f = line.trim().split(" ");
        if (f.length < 8 || f[2].contains("fail") || f[2].contains("handshake") || f[2].contains("noaddr")) {
          continue;
        }
        int nodePort = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1, f[1].indexOf('@')));
        List<int[]> slots = new ArrayList<>();
        for (int i = 8; i < f.length; i++) {
          if (f[i].startsWith("[")) {
            continue; // slot being migrated
          }
          String[] range = f[i].split("-");
          slots.add(new int[] {Integer.parseInt(range[0]), Integer.parseInt(range[range.length - 1])});
        }
        nodes.add(new Node(f[0], nodePort, f[2].contains("master"), "-".equals(f[3]) ? null : f[3], slots));
      }
      nodes.sort(Comparator.comparingInt(Node::port));
      return nodes;
    });
  }

  private Set<Integer> livePorts() {
    Set<Integer> live = new java.util.TreeSet<>();
    processes.forEach((port, p) -> {
      if (p.isAlive()) {
        live.add(port);
      }
    });
    return live;
  }

  private Optional<String> cliQuiet(int port, String... args) {
    try {
      return Optional.of(cli(port, args));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Polls {@code problem} every 50 ms until it is empty; fails with the last problem at the deadline. */
  private static void awaitCondition(String what, Duration timeout, java.util.function.Supplier<Optional<String>> problem) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<String> last = problem.get();
    while (last.isPresent()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout.toMillis() + " ms waiting for " + what
            + ": " + last.get());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
      last = problem.get();
    }
  }

  private static String run(List<String> command, Duration timeout) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeout.toMillis() + " ms");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void ensureInstalled() {
    if (onPath(REDIS_SERVER) && onPath(REDIS_CLI)) {
      return;
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException("redis-server and redis-cli (7.x) are needed for TestRedisCluster and are not on"
          + " the PATH; install them with: sudo apt-get install -y redis-server");
    }
    run(List.of("apt-get", "install", "-y", "--no-install-recommends", "redis-server"), Duration.ofMinutes(5));
  }

  private static boolean onPath(String program) {
    return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
        .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
  }

  /** Kills the nodes left by JVMs that died without their shutdown hook (SIGKILL), then deletes their dirs. */
  private static void reapOrphans() {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    try (Stream<Path> dirs = Files.list(tmp)) {
      dirs.filter(d -> d.getFileName().toString().startsWith(DIR_PREFIX)).forEach(d -> {
        String[] parts = d.getFileName().toString().substring(DIR_PREFIX.length()).split("-");
        if (parts[0].matches("\\d+") && ProcessHandle.of(Long.parseLong(parts[0])).isEmpty()) {
          try (Stream<Path> pidFiles = Files.find(d, 2, (f, a) -> f.getFileName().toString().equals("pid"))) {
            pidFiles.forEach(TestRedisCluster::killRecorded);
          } catch (IOException ignored) {
            // another JVM is reaping it
          }
          deleteRecursively(d);
        }
      });
    } catch (IOException ignored) {
      // nothing to reap
    }
  }

  private static void killRecorded(Path pidFile) {
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      ProcessHandle.of(pid)
          .filter(h -> h.info().command().map(c -> c.endsWith(REDIS_SERVER)).orElse(false))
          .ifPresent(ProcessHandle::destroyForcibly);
    } catch (IOException | NumberFormatException ignored) {
      // half-written pid file: the node never started
    }
  }

  private static void waitFor(Process p) {
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Ports p with p and its cluster bus port p + 10000 both free, both below Linux's ephemeral range (32768+): a port
   * of a killed node is then never handed to another test's server bound to port 0, which a client still holding the
   * old slot map for a moment would otherwise reach instead of the cluster.
   */
  private static List<Integer> freePortPairs(int count) {
    List<Integer> ports = new ArrayList<>();
    while (ports.size() < count) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 22_768);
      if (!ports.contains(port) && free(port) && free(port + 10_000)) {
        ports.add(port);
      }
    }
    return List.copyOf(ports);
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteRecursively(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: reaped by the next run
    }
  }

  @Override
  public String toString() {
    return "TestRedisCluster" + new TreeMap<>(Map.of("dir", dir.toString(), "ports", ports.toString()));
  }
}
