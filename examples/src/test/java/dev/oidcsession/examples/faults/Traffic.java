package dev.oidcsession.examples.faults;

import dev.oidcsession.servlet.Browser;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent API requests ({@code Accept: application/json}, so a lost session is a {@code 401},
 * a navigation would be a redirect to login) from logged-in browsers, and what users saw: counts
 * per status, false logouts (a {@code 401} or a redirect), 503s without {@code Retry-After}, and
 * the slowest answer. Thread-safe.
 */
final class Traffic implements AutoCloseable {

  private final ExecutorService pool;
  private final int threads;
  private final Map<Integer, Integer> statuses = new TreeMap<>();
  private final AtomicLong maxNanos = new AtomicLong();
  private int falseLogouts;
  private int unavailableWithoutRetryAfter;

  Traffic(int threads) {
    this.threads = threads;
    this.pool = Executors.newFixedThreadPool(threads);
  }

  /** One round: {@code threads} requests at once, spread over {@code browsers} and {@code bases}. */
  synchronized void round(List<Browser> browsers, List<String> bases, String path) {
    List<Future<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Browser browser = browsers.get(i % browsers.size());
      String url = bases.get(i % bases.size()) + path;
      sent.add(pool.submit(() -> {
        long start = System.nanoTime();
        HttpResponse<String> response = browser.get(url, "Accept", "application/json");
        maxNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
        return response;
      }));
    }
    for (Future<HttpResponse<String>> future : sent) {
      HttpResponse<String> response;
      try {
        response = future.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("request failed: " + e, e);
      }
      int status = response.statusCode();
      statuses.merge(status, 1, Integer::sum);
      if (status == 401 || (status >= 300 && status < 400)) {
        falseLogouts++;
      }
      if (status == 503 && response.headers().firstValue("Retry-After").isEmpty()) {
        unavailableWithoutRetryAfter++;
      }
    }
  }

  /** Rounds until {@code realTime} passed (at most {@code maxRounds}). */
  void roundsFor(Duration realTime, int maxRounds, List<Browser> browsers, List<String> bases,
      String path) {
    long end = System.nanoTime() + realTime.toNanos();
    for (int i = 0; i < maxRounds && System.nanoTime() < end; i++) {
      round(browsers, bases, path);
    }
  }

  synchronized int requests() {
    return statuses.values().stream().mapToInt(Integer::intValue).sum();
  }

  synchronized int count(int status) {
    return statuses.getOrDefault(status, 0);
  }

  synchronized int falseLogouts() {
    return falseLogouts;
  }

  synchronized int unavailableWithoutRetryAfter() {
    return unavailableWithoutRetryAfter;
  }

  synchronized Map<Integer, Integer> statuses() {
    return new TreeMap<>(statuses);
  }

  Duration maxLatency() {
    return Duration.ofNanos(maxNanos.get());
  }

  /** One line for the test output: the figures of issue 14. */
  String figures(String name, int refreshAttempts) {
    return String.format("FAULT FIGURES %s: requests=%d served(200)=%d falseLogouts=%d"
        + " refreshAttempts=%d maxLatencyMs=%d statuses=%s",
        name, requests(), count(200), falseLogouts(), refreshAttempts, maxLatency().toMillis(),
        statuses());
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
