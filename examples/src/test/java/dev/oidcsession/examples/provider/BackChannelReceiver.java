package dev.oidcsession.examples.provider;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import com.nimbusds.oauth2.sdk.util.URLUtils;

/** A relying party's back-channel logout endpoint on loopback: it keeps every logout_token. */
final class BackChannelReceiver implements AutoCloseable {

  private final HttpServer server;
  private final BlockingQueue<String> tokens = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> contentTypes = new LinkedBlockingQueue<>();

  BackChannelReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/backchannel-logout",
        exchange -> {
          String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
          Map<String, List<String>> form = URLUtils.parseParameters(body);
          List<String> token = form.get("logout_token");
          if ("POST".equals(exchange.getRequestMethod()) && token != null) {
            tokens.add(token.get(0));
          }
          exchange.getResponseHeaders().add("Cache-Control", "no-store");
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/backchannel-logout");
  }

  /** The next logout token received, waiting at most 5 seconds. */
  String next() throws InterruptedException {
    String token = tokens.poll(5, TimeUnit.SECONDS);
    if (token == null) {
      throw new AssertionError("a back-channel logout token must arrive within 5 s, but none did");
    }
    return token;
  }

  /** The Content-Type of the next request received. */
  String nextContentType() throws InterruptedException {
    return contentTypes.poll(5, TimeUnit.SECONDS);
  }

  /** Forgets everything received so far. */
  void clear() {
    tokens.clear();
    contentTypes.clear();
  }

  boolean isEmpty() {
    return tokens.isEmpty();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
