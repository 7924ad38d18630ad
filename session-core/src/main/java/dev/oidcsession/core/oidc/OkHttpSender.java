package dev.oidcsession.core.oidc;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPRequestSender;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPRequest;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Sends nimbus {@link HTTPRequest}s through an {@link OkHttpClient}: the only HTTP transport of the
 * protocol layer. Timeouts, TLS, the connection pool and interceptors are the client's; nimbus's
 * per-request timeouts are ignored. Responses larger than {@link #MAX_BODY_BYTES} fail with an
 * {@link IOException}. Thread-safe. Not API.
 */
final class OkHttpSender implements HTTPRequestSender {

  /** Largest response body read: 1 MiB, far above any token, metadata or key set response. */
  public static final long MAX_BODY_BYTES = 1L << 20;

  private final OkHttpClient client;

  /** Sends through {@code client}. */
  public OkHttpSender(OkHttpClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  @Override
  public ReadOnlyHTTPResponse send(ReadOnlyHTTPRequest request) throws IOException {
    Headers.Builder headers = new Headers.Builder();
    String contentType = null;
    for (Map.Entry<String, List<String>> header : request.getHeaderMap().entrySet()) {
      for (String value : header.getValue()) {
        if ("Content-Type".equalsIgnoreCase(header.getKey())) {
          contentType = value;
        }
        headers.add(header.getKey(), value);
      }
    }
    RequestBody body = null;
    String method = request.getMethod().name();
    if (request.getBody() != null
        || method.equals("POST")
        || method.equals("PUT")
        || method.equals("PATCH")) {
      String text = request.getBody() == null ? "" : request.getBody();
      body = RequestBody.create(text, contentType == null ? null : MediaType.parse(contentType));
    }
    Request okRequest =
        new Request.Builder()
            .url(request.getURL())
            .headers(headers.build())
            .method(method, body)
            .build();
    try (Response response = client.newCall(okRequest).execute()) {
      HTTPResponse result = new HTTPResponse(response.code());
      result.setStatusMessage(response.message());
      for (String name : response.headers().names()) {
        result.setHeader(name, response.headers(name).toArray(String[]::new));
      }
      ResponseBody responseBody = response.body();
      String text = readLimited(responseBody);
      if (!text.isEmpty()) {
        result.setBody(text);
      }
      return result;
    }
  }

  static String readLimited(ResponseBody body) throws IOException {
    if (body == null) {
      return "";
    }
    long declared = body.contentLength();
    if (declared > MAX_BODY_BYTES) {
      throw new IOException(
          "response body must be at most " + MAX_BODY_BYTES + " bytes, but was " + declared);
    }
    var source = body.source();
    if (source.request(MAX_BODY_BYTES + 1)) {
      throw new IOException(
          "response body must be at most " + MAX_BODY_BYTES + " bytes, but was longer");
    }
    return body.string();
  }
}
