package dev.oidcsession.examples.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP forward proxy on a loopback socket between the app and the development provider
 * (the app's {@code OkHttpClient} is given it with {@code proxy(..)}), which injects one fault into
 * refresh-token grants ({@code POST .../token} with {@code grant_type=refresh_token}); everything
 * else (discovery, keys, the code exchange) passes. Each answer closes its connection, so a fault
 * never poisons a pooled connection. Thread-safe; the fault can change at any time.
 */
final class FaultProxy implements AutoCloseable {

  /** What the proxy does to a refresh grant. */
  enum Fault {
    /** Forwards it and relays the answer. */
    NONE,
    /** Answers {@code 503} without forwarding. */
    UNAVAILABLE_503,
    /** Answers {@code 429} with {@code Retry-After} without forwarding. */
    TOO_MANY_429,
    /** Resets the connection (RST) without forwarding. */
    RESET,
    /** Accepts the request and never answers, until the client gives up or the fault changes. */
    HANG,
    /** Forwards it (the provider rotates the refresh token), then resets instead of answering. */
    FORWARD_THEN_RESET
  }

  private static final Set<String> NOT_FORWARDED =
      Set.of("host", "connection", "content-length", "proxy-connection", "keep-alive", "upgrade");
  /** How long a hung request is held at most (the app's call timeout ends it much sooner). */
  private static final Duration HANG_LIMIT = Duration.ofSeconds(60);

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fault-proxy");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient upstream = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final AtomicInteger refreshRequests = new AtomicInteger();
  private final AtomicInteger forwardedRefreshes = new AtomicInteger();
  private final List<Long> refreshNanos = new CopyOnWriteArrayList<>();
  private volatile Fault fault = Fault.NONE;
  private final java.util.concurrent.atomic.AtomicReference<Fault> once =
      new java.util.concurrent.atomic.AtomicReference<>();
  private volatile int retryAfterSeconds = 1;
  private volatile CountDownLatch release = new CountDownLatch(1);

  FaultProxy() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  /** The proxy, for {@code OkHttpClient.Builder.proxy}. */
  Proxy proxy() {
    return new Proxy(Proxy.Type.HTTP, new InetSocketAddress(server.getInetAddress(), server.getLocalPort()));
  }

  /** Injects {@code value} into every refresh grant from now on; releases hung requests. */
  void fault(Fault value) {
    fault = value;
    CountDownLatch hung = release;
    release = new CountDownLatch(1);
    hung.countDown();
  }

  /** Injects {@code value} into the next refresh grant only, before the standing fault. */
  void faultNext(Fault value) {
    once.set(value);
  }

  /** The {@code Retry-After} of {@link Fault#TOO_MANY_429}, in seconds. */
  void retryAfterSeconds(int seconds) {
    retryAfterSeconds = seconds;
  }

  /** Refresh grants the app sent (the renewal attempts), whatever the proxy did with them. */
  int refreshRequests() {
    return refreshRequests.get();
  }

  /** Refresh grants that reached the provider. */
  int forwardedRefreshes() {
    return forwardedRefreshes.get();
  }

  /** {@link System#nanoTime()} of each refresh grant the app sent, in order. */
  List<Long> refreshTimes() {
    return List.copyOf(refreshNanos);
  }

  void resetCounts() {
    refreshRequests.set(0);
    forwardedRefreshes.set(0);
    refreshNanos.clear();
  }

  @Override
  public void close() {
    fault(Fault.NONE);
    try {
      server.close();
    } catch (IOException e) {
      // closing a listening socket of a test fixture
    }
    threads.shutdownNow();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        threads.execute(() -> serve(socket));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      if (head == null) {
        return;
      }
      String[] lines = head.split("\r\n");
      String[] requestLine = lines[0].split(" ");
      String method = requestLine[0];
      URI target = URI.create(requestLine[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
        }
      }
      int length = Integer.parseInt(header(headers, "content-length", "0"));
      byte[] body = in.readNBytes(length);
      boolean refresh = "POST".equals(method) && target.getPath().endsWith("/token")
          && new String(body, StandardCharsets.UTF_8).contains("grant_type=refresh_token");
      Fault next = refresh ? once.getAndSet(null) : null;
      Fault now = next != null ? next : refresh ? fault : Fault.NONE;
      if (refresh) {
        refreshNanos.add(System.nanoTime());
        refreshRequests.incrementAndGet();
      }
      OutputStream out = socket.getOutputStream();
      switch (now) {
        case UNAVAILABLE_503 -> write(out, 503, "Service Unavailable", Map.of(),
            "{\"error\":\"temporarily_unavailable\"}");
        case TOO_MANY_429 -> write(out, 429, "Too Many Requests",
            Map.of("Retry-After", Integer.toString(retryAfterSeconds)), "{\"error\":\"slow_down\"}");
        case RESET -> reset(socket);
        case HANG -> {
          // Hold the request unanswered: the app's call timeout is what ends it.
          release.await(HANG_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
          reset(socket);
        }
        case FORWARD_THEN_RESET -> {
          forward(method, target, headers, body);
          forwardedRefreshes.incrementAndGet();
          reset(socket);
        }
        case NONE -> {
          HttpResponse<byte[]> answer = forward(method, target, headers, body);
          if (refresh) {
            forwardedRefreshes.incrementAndGet();
          }
          Map<String, String> relayed = new LinkedHashMap<>();
          answer.headers().map().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))
                && !name.startsWith(":") && !"transfer-encoding".equalsIgnoreCase(name)) {
              relayed.put(name, values.get(0));
            }
          });
          write(out, answer.statusCode(), "Relayed", relayed, answer.body());
        }
      }
    } catch (IOException e) {
      // the client went away (e.g. its call timeout ended a hung request)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private HttpResponse<byte[]> forward(String method, URI target, Map<String, String> headers,
      byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
        .method(method, body.length == 0
            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach((name, value) -> {
      if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
        request.header(name, value);
      }
    });
    return upstream.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void reset(Socket socket) throws IOException {
    socket.setSoLinger(true, 0); // close() sends RST: "connection reset" on the app's side
    socket.close();
  }

  private static void write(OutputStream out, int status, String reason, Map<String, String> headers,
      String body) throws IOException {
    write(out, status, reason, withJson(headers), body.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> withJson(Map<String, String> headers) {
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.put("Content-Type", "application/json");
    return all;
  }

  private static void write(OutputStream out, int status, String reason, Map<String, String> headers,
      byte[] body) throws IOException {
    StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason)
        .append("\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    head.append("Content-Length: ").append(body.length).append("\r\n");
    head.append("Connection: close\r\n\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }

  private static String header(Map<String, String> headers, String name, String otherwise) {
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return otherwise;
  }

  /** The request line and headers, up to the blank line; null if the client closed first. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1).trim();
  }
}
