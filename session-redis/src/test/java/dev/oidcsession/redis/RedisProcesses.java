package dev.oidcsession.redis;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts real {@code redis-server} processes on free loopback ports for one test class, and stops
 * them all in {@link #close()} (and, should the JVM end first, in a shutdown hook). Each process
 * binds 127.0.0.1, persists nothing unless its arguments say so and has its own temporary
 * directory, which a {@link Node#restart()} keeps.
 *
 * <p>The binary is {@code $REDIS_SERVER_BIN}, else {@code redis-server} on the {@code PATH}, else
 * the Linux build shipped in the {@code com.github.codemonstur:embedded-redis} test dependency
 * (Redis 6.2 with TLS), extracted once per JVM.
 */
public final class RedisProcesses implements AutoCloseable {

  private static final String EMBEDDED_LINUX_AMD64 = "redis-server-6.2.6-v5-linux-amd64";
  private static final Duration START_DEADLINE = Duration.ofSeconds(20);
  private static final Set<Process> ALL = ConcurrentHashMap.newKeySet();
  private static volatile Path binary;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL.forEach(Process::destroyForcibly)));
  }

  private final Path root;
  private final List<Node> nodes = new ArrayList<>();

  public RedisProcesses() {
    try {
      root = Files.createTempDirectory("oidcs-redis-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One redis-server process; {@link #port} is the port it is reached on (the TLS port for TLS). */
  public final class Node {
    public final int port;
    final Path dir;
    final List<String> args;
    Process process;

    private Node(int port, Path dir, List<String> args) {
      this.port = port;
      this.dir = dir;
      this.args = args;
    }

    /** Kills the process at once (SIGKILL), as a crash would. */
    public void kill() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ALL.remove(process);
    }

    /** Starts the process again with the same arguments on the same port. */
    public void restart() {
      launch(this);
    }

    /** The last {@code maxChars} characters of this server's log, for a failing test's message. */
    public String logTail(int maxChars) {
      String log = read(dir.resolve("redis.log"));
      return log.length() <= maxChars ? log : log.substring(log.length() - maxChars);
    }

    boolean alive() {
      return process != null && process.isAlive();
    }
  }

  /** A plain server; {@code extra} are more {@code --name value} arguments. */
  public Node server(String... extra) {
    int port = freePort();
    List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port)));
    args.addAll(List.of(extra));
    return start(port, args);
  }

  /**
   * A server listening only on a TLS port, with the given PEM files; clients need a certificate
   * signed by {@code ca} only when {@code clientsNeedCertificates}.
   */
  Node tlsServer(Path cert, Path key, Path ca, boolean clientsNeedCertificates) {
    int port = freePort();
    return start(
        port,
        new ArrayList<>(
            List.of(
                "--port", "0",
                "--tls-port", Integer.toString(port),
                "--tls-cert-file", cert.toString(),
                "--tls-key-file", key.toString(),
                "--tls-ca-cert-file", ca.toString(),
                "--tls-auth-clients", clientsNeedCertificates ? "yes" : "no")));
  }

  /** A Redis Cluster node (its bus port is {@code port + 10000}), with no slots yet. */
  Node clusterNode() {
    int port = freePort(10000);
    return start(
        port,
        new ArrayList<>(
            List.of(
                "--port", Integer.toString(port),
                "--cluster-enabled", "yes",
                "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", "2000")));
  }

  /** A Sentinel watching {@code masterName} at {@code masterPort}, with the given quorum. */
  Node sentinel(String masterName, int masterPort, int quorum) {
    int port = freePort();
    Path dir = newDir();
    Path conf = dir.resolve("sentinel.conf");
    try {
      Files.writeString(
          conf,
          String.join(
              "\n",
              "port " + port,
              "bind 127.0.0.1",
              "dir " + dir,
              "sentinel monitor " + masterName + " 127.0.0.1 " + masterPort + " " + quorum,
              "sentinel down-after-milliseconds " + masterName + " 1000",
              "sentinel failover-timeout " + masterName + " 5000",
              "sentinel parallel-syncs " + masterName + " 1",
              ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Node node = new Node(port, dir, List.of(conf.toString(), "--sentinel"));
    nodes.add(node);
    launch(node);
    return node;
  }

  /** Where a test may write files (certificates) that go away with this fixture. */
  Path root() {
    return root;
  }

  @Override
  public void close() {
    for (Node node : nodes) {
      if (node.process != null) {
        node.process.destroy();
      }
    }
    for (Node node : nodes) {
      if (node.process == null) {
        continue;
      }
      try {
        if (!node.process.waitFor(5, TimeUnit.SECONDS)) {
          node.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ALL.remove(node.process);
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is no test failure
    }
  }

  private Node start(int port, List<String> args) {
    Path dir = newDir();
    // The caller's arguments come last: redis-server keeps the last value of a setting, so a test
    // may turn persistence on (--appendonly yes) for a restart that reloads the data.
    List<String> all = new ArrayList<>(
        List.of(
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", dir.toString(),
            "--maxmemory-policy", "volatile-ttl"));
    all.addAll(args);
    Node node = new Node(port, dir, List.copyOf(all));
    nodes.add(node);
    launch(node);
    return node;
  }

  private void launch(Node node) {
    List<String> command = new ArrayList<>();
    command.add(binary().toString());
    command.addAll(node.args);
    Path log = node.dir.resolve("redis.log");
    try {
      node.process =
          new ProcessBuilder(command)
              .directory(node.dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ALL.add(node.process);
    try {
      await("redis-server on port " + node.port)
          .atMost(START_DEADLINE)
          .pollInterval(Duration.ofMillis(20))
          .until(() -> listening(node.port) || !node.process.isAlive());
    } finally {
      if (!node.process.isAlive()) {
        throw new IllegalStateException(
            "redis-server exited at start (" + String.join(" ", command) + "):\n" + read(log));
      }
    }
  }

  private Path newDir() {
    try {
      return Files.createTempDirectory(root, "node-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A free loopback port below {@code 65535 - reserve} (Cluster needs {@code port + 10000}). */
  private static int freePort(int reserve) {
    for (int i = 0; i < 100; i++) {
      int port = freePort();
      if (port + reserve <= 65535 && (reserve == 0 || free(port + reserve))) {
        return port;
      }
    }
    throw new IllegalStateException("no free port pair found");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.isBound();
    } catch (IOException e) {
      return false;
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "(no log)";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** The redis-server binary: $REDIS_SERVER_BIN, else on the PATH, else from embedded-redis. */
  static synchronized Path binary() {
    if (binary != null) {
      return binary;
    }
    String fromEnv = System.getenv("REDIS_SERVER_BIN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return binary = Path.of(fromEnv);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir).resolve("redis-server");
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return binary = candidate;
      }
    }
    String os = System.getProperty("os.name").toLowerCase();
    String arch = System.getProperty("os.arch");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new IllegalStateException(
          "no redis-server: set REDIS_SERVER_BIN or put redis-server on the PATH (the embedded"
              + " binary is used only on linux-amd64, this is " + os + "/" + arch + ")");
    }
    try (InputStream in = RedisProcesses.class.getResourceAsStream("/" + EMBEDDED_LINUX_AMD64)) {
      if (in == null) {
        throw new IllegalStateException(EMBEDDED_LINUX_AMD64 + " is not on the test classpath");
      }
      Path file = Files.createTempFile("redis-server-", "");
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
      file.toFile().deleteOnExit();
      return binary = file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
