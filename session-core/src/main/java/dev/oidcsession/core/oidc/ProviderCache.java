package dev.oidcsession.core.oidc;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderConfigurationRequest;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.LogoutTokenValidator;
import dev.oidcsession.core.internal.WebUrls;
import java.io.Closeable;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider as this client knows it: its metadata (configured, or discovered lazily from {@code
 * <issuer>/.well-known/openid-configuration} and accepted only if its {@code issuer} equals the
 * configured one, OIDC Discovery 1.0 §4.3), the cached JWK source and the nimbus validators built
 * on it. Cached until {@link #refresh()}. Thread-safe.
 *
 * <p>Discovery under an outage (review #3): one attempt runs at a time, on the thread of the first
 * caller, and every concurrent caller waits for that attempt's result instead of starting its
 * own; a failure is remembered for {@link #FAILURE_CACHE} (callers meanwhile fail at once, without
 * a request); no lock is held during network I/O. So 20 logins while the provider hangs take one
 * HTTP timeout, not twenty.
 */
final class ProviderCache implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ProviderCache.class);

  /** How long keys stay usable while the provider's JWK set cannot be fetched, in cache TTLs. */
  static final int OUTAGE_TOLERANCE_TTLS = 12;

  /** How long a failed discovery is answered from memory before the next attempt. */
  static final Duration FAILURE_CACHE = Duration.ofSeconds(5);

  /** A failed discovery and until when it is repeated without a request. */
  private record Failure(OidcException cause, Instant until) {}

  /** Everything derived from one provider metadata document. */
  record Provider(
      OIDCProviderMetadata metadata,
      JWKSource<SecurityContext> keys,
      IDTokenValidator idTokens,
      LogoutTokenValidator logoutTokens) {

    void close() {
      if (keys instanceof Closeable closeable) {
        try {
          closeable.close();
        } catch (IOException e) {
          log.debug("closing the key source failed: {}", e.toString());
        }
      }
    }
  }

  private final OidcClientConfig config;
  private final OkHttpSender sender;
  private final OkHttpResourceRetriever retriever;
  private final Issuer issuer;
  private final ClientID clientId;
  private final Object lock = new Object();
  private volatile Provider provider;
  /** The discovery running now, shared by every caller; null when none runs. */
  private final AtomicReference<CompletableFuture<Provider>> loading = new AtomicReference<>();
  private volatile Failure failure;

  ProviderCache(OidcClientConfig config, OkHttpClient http, OkHttpSender sender) {
    this.config = Objects.requireNonNull(config, "config");
    this.sender = sender;
    this.retriever = new OkHttpResourceRetriever(http);
    this.issuer = new Issuer(config.issuer().toString());
    this.clientId = new ClientID(config.clientId());
  }

  /** The provider metadata; discovers it on first call. */
  OIDCProviderMetadata metadata() throws OidcException {
    return provider().metadata();
  }

  /**
   * The cached provider; discovers it on first call, joining a discovery already running, and
   * repeating a recent failure without a request (see the class comment).
   */
  Provider provider() throws OidcException {
    Provider p = provider;
    if (p != null) {
      return p;
    }
    failIfRecentlyFailed();
    CompletableFuture<Provider> mine = new CompletableFuture<>();
    CompletableFuture<Provider> running = loading.compareAndExchange(null, mine);
    if (running != null) {
      return await(running);
    }
    try {
      p = provider; // another caller's attempt may have finished just before ours was set
      if (p == null) {
        failIfRecentlyFailed();
        p = load();
        synchronized (lock) {
          provider = p;
        }
        failure = null;
      }
      mine.complete(p);
      return p;
    } catch (OidcException e) {
      failure = new Failure(e, config.clock().instant().plus(FAILURE_CACHE));
      mine.completeExceptionally(e);
      throw e;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      loading.set(null);
    }
  }

  private void failIfRecentlyFailed() throws OidcException {
    Failure last = failure;
    if (last != null && config.clock().instant().isBefore(last.until())) {
      throw repeated(last.cause());
    }
  }

  /** Waits for the running discovery of another caller; holds no lock meanwhile. */
  private static Provider await(CompletableFuture<Provider> running) throws OidcException {
    try {
      return running.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof OidcException failed) {
        throw repeated(failed);
      }
      if (e.getCause() instanceof RuntimeException unexpected) {
        throw unexpected;
      }
      throw new IllegalStateException("provider discovery failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OidcException(OidcException.Reason.PROVIDER_UNAVAILABLE,
          "interrupted while waiting for provider discovery", null, e);
    }
  }

  /** {@code failed} for another caller: same reason and message, this caller's stack. */
  private static OidcException repeated(OidcException failed) {
    return new OidcException(failed.reason(), failed.getMessage(),
        failed.errorCode().orElse(null), failed);
  }

  /** Discovers again and resets the key cache; on failure the previous provider stays. */
  void refresh() throws OidcException {
    Provider fresh = load();
    Provider old;
    synchronized (lock) {
      old = provider;
      provider = fresh;
    }
    if (old != null) {
      old.close();
    }
  }

  @Override
  public void close() {
    Provider p;
    synchronized (lock) {
      p = provider;
      provider = null;
    }
    if (p != null) {
      p.close();
    }
  }

  private Provider load() throws OidcException {
    OIDCProviderMetadata metadata =
        config.providerMetadata().isPresent() ? config.providerMetadata().get() : discover();
    JWKSource<SecurityContext> keys;
    try {
      long ttl = config.jwksCacheTtl().toMillis();
      keys =
          JWKSourceBuilder.<SecurityContext>create(metadata.getJWKSetURI().toURL(), retriever)
              .cache(ttl, JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT)
              .refreshAheadCache(false)
              .rateLimited(config.jwksRefetchMinInterval().toMillis())
              .outageTolerant(ttl * OUTAGE_TOLERANCE_TTLS)
              .build();
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new OidcException(
          OidcException.Reason.INVALID_RESPONSE,
          "provider jwks_uri must be a URL, but was " + metadata.getJWKSetURI(),
          null,
          null);
    }
    KidStrictKeySelector selector =
        new KidStrictKeySelector(config.allowedSigningAlgorithms(), keys);
    IDTokenValidator idTokens = new IDTokenValidator(issuer, clientId, selector, null);
    idTokens.setMaxClockSkew((int) config.validationClockSkew().toSeconds());
    // Review #19: the same skew for logout tokens' exp as for ID tokens (nimbus's own is 60 s).
    LogoutTokenValidator logoutTokens =
        new SkewedLogoutTokenValidator(issuer, clientId, selector, config.validationClockSkew());
    return new Provider(metadata, keys, idTokens, logoutTokens);
  }

  /**
   * Review #24: the endpoints a discovery document names must be https, as the issuer is (an http
   * {@code jwks_uri} would let a network attacker supply signing keys, an http {@code
   * token_endpoint} would carry the client secret in clear); only a loopback http issuer (local
   * development) may name http endpoints, and then only on loopback hosts.
   */
  private void requireSecureEndpoints(OIDCProviderMetadata metadata) throws OidcException {
    boolean httpsIssuer = "https".equalsIgnoreCase(config.issuer().getScheme());
    Map<String, URI> endpoints = new LinkedHashMap<>();
    endpoints.put("authorization_endpoint", metadata.getAuthorizationEndpointURI());
    endpoints.put("token_endpoint", metadata.getTokenEndpointURI());
    endpoints.put("jwks_uri", metadata.getJWKSetURI());
    endpoints.put("revocation_endpoint", metadata.getRevocationEndpointURI());
    endpoints.put("end_session_endpoint", metadata.getEndSessionEndpointURI());
    for (Map.Entry<String, URI> endpoint : endpoints.entrySet()) {
      URI uri = endpoint.getValue();
      if (uri == null) {
        continue;
      }
      boolean https = "https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null;
      boolean allowed = https || (!httpsIssuer && "http".equalsIgnoreCase(uri.getScheme())
          && WebUrls.isLoopback(uri.getHost()));
      if (!allowed) {
        log.warn("provider discovery rejected: {} {} is not https", endpoint.getKey(), uri);
        throw new OidcException(
            OidcException.Reason.INVALID_RESPONSE,
            "provider discovery document rejected: " + endpoint.getKey() + " must be an https URL"
                + (httpsIssuer ? " like the issuer " + config.issuer()
                    : " (http only on a loopback host, as the issuer)")
                + ", but was " + uri,
            null,
            null);
      }
    }
  }

  private OIDCProviderMetadata discover() throws OidcException {
    HTTPRequest request = new OIDCProviderConfigurationRequest(issuer).toHTTPRequest();
    HTTPResponse response;
    try {
      response = request.send(sender);
    } catch (IOException e) {
      log.warn("provider discovery at {} failed: {}", request.getURI(), e.toString());
      throw new OidcException(
          OidcException.Reason.PROVIDER_UNAVAILABLE,
          "provider discovery document could not be fetched from " + request.getURI(),
          null,
          e);
    }
    if (TokenEndpoint.isTransientStatus(response.getStatusCode())) {
      throw new OidcException(
          OidcException.Reason.PROVIDER_UNAVAILABLE,
          "provider discovery must answer 200, but answered " + response.getStatusCode());
    }
    if (response.getStatusCode() != HTTPResponse.SC_OK) {
      throw new OidcException(
          OidcException.Reason.INVALID_RESPONSE,
          "provider discovery must answer 200, but answered " + response.getStatusCode());
    }
    OIDCProviderMetadata metadata;
    try {
      metadata = OIDCProviderMetadata.parse(response.getBodyAsJSONObject());
    } catch (ParseException e) {
      throw new OidcException(
          OidcException.Reason.INVALID_RESPONSE,
          "provider discovery document must be OpenID provider metadata, but was not: "
              + e.getMessage());
    }
    // OIDC Discovery 1.0 §4.3: the issuer MUST be identical to the one the document was fetched for.
    String advertised = metadata.getIssuer().getValue();
    if (!advertised.equals(issuer.getValue())) {
      log.warn(
          "provider discovery rejected: document issuer {} is not the configured issuer {}",
          advertised,
          issuer);
      throw new OidcException(
          OidcException.Reason.ISSUER_MISMATCH,
          "discovery document issuer must equal the configured issuer "
              + issuer
              + ", but was "
              + advertised);
    }
    requireSecureEndpoints(metadata);
    log.info(
        "discovered provider {}: authorization {}, token {}, jwks {}",
        advertised,
        metadata.getAuthorizationEndpointURI(),
        metadata.getTokenEndpointURI(),
        metadata.getJWKSetURI());
    return metadata;
  }
}
