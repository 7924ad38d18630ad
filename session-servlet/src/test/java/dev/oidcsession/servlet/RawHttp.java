package dev.oidcsession.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An HTTP/1.1 client that sends the request line, headers and body exactly as given, byte for
 * byte, so that tests can send what no well-behaved client would: bad percent-encodings, unknown
 * methods, oversized headers, duplicated cookies. One request per connection
 * ({@code Connection: close}); reads the response to the end, de-chunking it. Stateless.
 */
public final class RawHttp {

  private final int port;

  /** A client for {@code 127.0.0.1:port}. */
  public RawHttp(int port) {
    this.port = port;
  }

  /** A response: status, headers in order (names lower-cased), body as ISO-8859-1 text. */
  public record Response(int status, List<String[]> headers, String body) {

    /** The first value of header {@code name}. */
    public Optional<String> header(String name) {
      return headers.stream().filter(h -> h[0].equals(name.toLowerCase(Locale.ROOT)))
          .map(h -> h[1]).findFirst();
    }

    /** Every value of header {@code name}. */
    public List<String> all(String name) {
      return headers.stream().filter(h -> h[0].equals(name.toLowerCase(Locale.ROOT)))
          .map(h -> h[1]).toList();
    }

    @Override
    public String toString() {
      String flat = body.replaceAll("\\s+", " ");
      return status + " " + header("Content-Type").orElse("-") + " "
          + (flat.length() > 200 ? flat.substring(0, 200) + "..." : flat);
    }
  }

  /** {@code method target HTTP/1.1}, a {@code Host}, the given header lines, no body. */
  public Response send(String method, String target, String... headerLines) {
    return send(method, target, new byte[0], headerLines);
  }

  /** As above with a body and its {@code Content-Length}. */
  public Response send(String method, String target, byte[] body, String... headerLines) {
    StringBuilder head = new StringBuilder(method).append(' ').append(target)
        .append(" HTTP/1.1\r\nHost: 127.0.0.1:").append(port).append("\r\nConnection: close\r\n");
    for (String line : headerLines) {
      head.append(line).append("\r\n");
    }
    if (body.length > 0 || method.equals("POST") || method.equals("PUT")
        || method.equals("PATCH")) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    // ISO-8859-1 keeps each char as one byte, so a test writes any byte it wants; UTF-8 text
    // goes through utf8() first.
    return exchange(head.toString().getBytes(StandardCharsets.ISO_8859_1), body);
  }

  /** {@code text} as UTF-8 bytes, re-read one byte per char, for a request line or header. */
  public static String utf8(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  private Response exchange(byte[] head, byte[] body) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(head);
      try {
        out.write(body);
        out.flush();
      } catch (IOException e) {
        // The server may answer (413, 431) and close before reading a large body: read that.
      }
      return parse(readAll(socket.getInputStream()));
    } catch (IOException e) {
      throw new IllegalStateException("no HTTP response from 127.0.0.1:" + port, e);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      if (all.size() == 0) {
        throw e;
      }
      // A reset after the response (the server closed with our body unread): keep what came.
    }
    return all.toByteArray();
  }

  private static Response parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new IllegalStateException("not an HTTP response: " + text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    List<String[]> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.add(new String[] {lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim()});
    }
    String body = text.substring(end + 4);
    boolean chunked = headers.stream().anyMatch(h -> h[0].equals("transfer-encoding")
        && h[1].toLowerCase(Locale.ROOT).contains("chunked"));
    return new Response(status, headers, chunked ? dechunk(body) : body);
  }

  private static String dechunk(String body) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (at < body.length()) {
      int lineEnd = body.indexOf("\r\n", at);
      if (lineEnd < 0) {
        break;
      }
      int size = Integer.parseInt(body.substring(at, lineEnd).split(";")[0].trim(), 16);
      if (size == 0) {
        break;
      }
      out.append(body, lineEnd + 2, Math.min(body.length(), lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    return out.toString();
  }
}
