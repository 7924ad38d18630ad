package dev.oidcsession.core.oidc;

import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import java.io.IOException;
import java.net.URL;
import java.util.Objects;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Fetches the provider's JWK set for nimbus's {@code JWKSourceBuilder} through an {@link
 * OkHttpClient}. A non-2xx status or a body over {@link OkHttpSender#MAX_BODY_BYTES} is an {@link
 * IOException}, which the key source treats as an outage. Thread-safe. Not API.
 */
final class OkHttpResourceRetriever implements ResourceRetriever {

  private final OkHttpClient client;

  /** Fetches through {@code client}. */
  public OkHttpResourceRetriever(OkHttpClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  @Override
  public Resource retrieveResource(URL url) throws IOException {
    Request request =
        new Request.Builder()
            .url(url)
            .header("Accept", "application/jwk-set+json, application/json")
            .get()
            .build();
    try (Response response = client.newCall(request).execute()) {
      if (!response.isSuccessful()) {
        throw new IOException("JWK set request must answer 2xx, but answered " + response.code());
      }
      String body = OkHttpSender.readLimited(response.body());
      return new Resource(body, response.header("Content-Type"));
    }
  }
}
