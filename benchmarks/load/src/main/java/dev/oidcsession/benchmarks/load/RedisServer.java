package dev.oidcsession.benchmarks.load;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One {@code redis-server} on a free loopback port, persisting nothing ({@code volatile-ttl}, the
 * eviction policy session-redis asks for), and the {@code INFO}
 * figures the run reads from it: commands and bytes sent back, with the driver's own {@code INFO}
 * calls taken out.
 *
 * <p>The binary is {@code $REDIS_SERVER_BIN}, else {@code redis-server} on the {@code PATH}, else
 * the Linux build in the {@code embedded-redis} artifact the tests use (Redis 6.2).
 */
final class RedisServer implements AutoCloseable {

  private static final String EMBEDDED_LINUX_AMD64 = "redis-server-6.2.6-v5-linux-amd64";

  final int port;
  private final Process process;

  private RedisServer(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  long pid() {
    return process.pid();
  }

  /** Starts a server with its own directory under {@code dir}; waits until it answers. */
  static RedisServer start(Path binary, Path dir) throws IOException, InterruptedException {
    int port = Ports.free();
    Files.createDirectories(dir);
    Process process = new ProcessBuilder(List.of(binary.toString(), "--port", Integer.toString(port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "volatile-ttl",
            "--dir", dir.toString()))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile())
        .start();
    RedisServer server = new RedisServer(port, process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("redis-server exited at start: " + Files.readString(dir.resolve("redis.log")));
      }
      try {
        server.info("server");
        return server;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    process.destroyForcibly();
    throw new IOException("redis-server did not answer on port " + port + " within 20 s");
  }

  /** The binary to run, extracting the embedded one into {@code dir} when needed. */
  static Path binary(Path dir) throws IOException {
    String fromEnv = System.getenv("REDIS_SERVER_BIN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(entry.isEmpty() ? "." : entry).resolve("redis-server");
      if (!entry.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    try (InputStream in = RedisServer.class.getResourceAsStream("/" + EMBEDDED_LINUX_AMD64)) {
      if (in == null || !System.getProperty("os.name").toLowerCase().contains("linux")) {
        throw new IOException("no redis-server: set REDIS_SERVER_BIN or put redis-server on the PATH");
      }
      Files.createDirectories(dir);
      Path file = dir.resolve("redis-server");
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
      return file;
    }
  }

  /**
   * Commands served and bytes sent back so far, the driver's {@code INFO} calls excluded: {@code
   * driverBytes} are this reading's own replies, which {@code total_net_output_bytes} counts only
   * once they are written, that is in the next reading.
   */
  record Counters(Map<String, Long> calls, long outputBytes, long driverBytes) {
    /** What happened between {@code before} and this reading; commands not called are left out. */
    Counters minus(Counters before) {
      Map<String, Long> delta = new TreeMap<>();
      calls.forEach((name, n) -> {
        long d = n - before.calls.getOrDefault(name, 0L);
        if (d != 0) {
          delta.put(name, d);
        }
      });
      return new Counters(delta, outputBytes - before.outputBytes - before.driverBytes, 0);
    }

    /** Every command counted. */
    long commands() {
      return calls.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Reads the counters ({@code INFO stats}, then {@code INFO commandstats}). */
  Counters counters() throws IOException {
    Reply stats = infoReply("stats");
    Reply commandstats = infoReply("commandstats");
    Map<String, Long> calls = new TreeMap<>();
    for (String line : commandstats.text.split("\r\n")) {
      if (line.startsWith("cmdstat_") && !line.startsWith("cmdstat_info:")) {
        String name = line.substring("cmdstat_".length(), line.indexOf(':')).toUpperCase(Locale.ROOT);
        String count = line.substring(line.indexOf("calls=") + 6);
        calls.put(name, Long.parseLong(count.substring(0, count.indexOf(','))));
      }
    }
    long output = Long.parseLong(fields(stats.text).get("total_net_output_bytes"));
    return new Counters(calls, output, stats.wireBytes + commandstats.wireBytes);
  }

  /** One {@code INFO} section as text. */
  String info(String section) throws IOException {
    return infoReply(section).text;
  }

  /** {@code name:value} lines of an {@code INFO} reply. */
  static Map<String, String> fields(String info) {
    Map<String, String> fields = new HashMap<>();
    for (String line : info.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        fields.put(line.substring(0, colon), line.substring(colon + 1));
      }
    }
    return fields;
  }

  private record Reply(String text, long wireBytes) {}

  private Reply infoReply(String section) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(("*2\r\n$4\r\nINFO\r\n$" + section.length() + "\r\n" + section + "\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream header = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new IOException("Redis closed the connection");
        }
        header.write(b);
      }
      String head = header.toString(StandardCharsets.US_ASCII).trim();
      if (!head.startsWith("$")) {
        throw new IOException("unexpected INFO reply: " + head);
      }
      int length = Integer.parseInt(head.substring(1));
      byte[] body = in.readNBytes(length + 2);
      return new Reply(new String(body, 0, length, StandardCharsets.UTF_8), header.size() + 1L + body.length);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
