package dev.oidcsession.benchmarks.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One started variant: its JVM, its port, its own Redis (when it uses one) and the session cookies
 * obtained by logging in. Every variant answers {@code GET /bench/json} (the measured request) and
 * {@code GET /bench/stats} (public: JSON answers served, process CPU nanoseconds).
 */
final class App implements AutoCloseable {

  private static final Pattern SERVED = Pattern.compile("\"served\":(\\d+)");
  private static final Pattern CPU = Pattern.compile("\"cpuNanos\":(\\d+)");

  final Variant variant;
  final int port;
  final RedisServer redis;
  private final Process process;
  final Path log;

  private App(Variant variant, int port, RedisServer redis, Process process, Path log) {
    this.variant = variant;
    this.port = port;
    this.redis = redis;
    this.process = process;
    this.log = log;
  }

  /** Launches {@code command} and waits until {@code /bench/stats} answers. */
  static App start(Variant variant, int port, RedisServer redis, List<String> command, Path log,
      HttpClient http, Duration deadline) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    App app = new App(variant, port, redis, process, log);
    long end = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IOException(variant.id() + " exited at start (exit " + process.exitValue()
            + "), see " + log);
      }
      try {
        app.stats(http);
        return app;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    app.close();
    throw new IOException(variant.id() + " did not answer within " + deadline + ", see " + log);
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** JSON answers served and process CPU time in nanoseconds, read from the app. */
  record Stats(long served, long cpuNanos) {}

  Stats stats(HttpClient http) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(url("/bench/stats"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    Matcher served = SERVED.matcher(response.body());
    Matcher cpu = CPU.matcher(response.body());
    if (response.statusCode() != 200 || !served.find() || !cpu.find()) {
      throw new IOException(variant.id() + " /bench/stats answered HTTP " + response.statusCode());
    }
    return new Stats(Long.parseLong(served.group(1)), Long.parseLong(cpu.group(1)));
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    if (redis != null) {
      redis.close();
    }
  }
}
