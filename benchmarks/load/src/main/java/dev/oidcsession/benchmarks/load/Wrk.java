package dev.oidcsession.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code wrk} (keep-alive connections, {@code --latency}) and reads its summary. With one
 * session the cookie goes in a {@code -H} header; with many, {@code rotate.lua} takes one cookie
 * line per request from a file, in turn.
 */
final class Wrk {

  private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m)");
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern SOCKET_ERRORS =
      Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

  private final String binary;
  private final int threads;
  private final int connections;
  private final Path script;

  Wrk(String binary, int threads, int connections, Path script) {
    this.binary = binary;
    this.threads = threads;
    this.connections = connections;
    this.script = script;
  }

  /** One run's summary; latencies in microseconds. */
  record Result(long requests, double requestsPerSecond, double p50Micros, double p99Micros,
      long non2xx, long socketErrors, String output) {}

  /** Runs for {@code duration} against {@code url}, the cookie given or cookies from a file. */
  Result run(String url, Duration duration, String cookie, Path cookieFile)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(binary, "-t", Integer.toString(threads),
        "-c", Integer.toString(connections), "-d", duration.toSeconds() + "s", "--latency",
        "--timeout", "10s"));
    if (cookieFile != null) {
      command.addAll(List.of("-s", script.toString()));
    } else {
      command.addAll(List.of("-H", "Cookie: " + cookie));
    }
    command.add(url);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (cookieFile != null) {
      builder.environment().put("BENCH_COOKIES", cookieFile.toString());
    }
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException("wrk failed: " + output);
    }
    return parse(output);
  }

  static Result parse(String output) throws IOException {
    Matcher requests = find(REQUESTS, output);
    Matcher rate = find(RATE, output);
    Matcher non2xx = NON_2XX.matcher(output);
    Matcher socket = SOCKET_ERRORS.matcher(output);
    long errors = 0;
    if (socket.find()) {
      for (int i = 1; i <= 4; i++) {
        errors += Long.parseLong(socket.group(i));
      }
    }
    return new Result(Long.parseLong(requests.group(1)), Double.parseDouble(rate.group(1)),
        percentile(output, "50%"), percentile(output, "99%"),
        non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, errors, output);
  }

  private static double percentile(String output, String label) throws IOException {
    Matcher m = find(Pattern.compile("^\\s+" + label + "\\s+([\\d.]+)(us|ms|s|m)\\s*$",
        Pattern.MULTILINE), output);
    double value = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> value;
      case "ms" -> value * 1_000;
      case "s" -> value * 1_000_000;
      default -> value * 60_000_000;
    };
  }

  private static Matcher find(Pattern pattern, String output) throws IOException {
    Matcher m = pattern.matcher(output);
    if (!m.find()) {
      throw new IOException("wrk output without " + pattern + ":\n" + output);
    }
    return m;
  }
}
