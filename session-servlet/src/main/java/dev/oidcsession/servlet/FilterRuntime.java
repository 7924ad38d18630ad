package dev.oidcsession.servlet;

import dev.oidcsession.core.InMemorySessionStore;
import dev.oidcsession.core.SessionManager;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.core.internal.Digests;
import dev.oidcsession.core.oidc.OidcClient;
import dev.oidcsession.core.oidc.OidcClientConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a started filter works with, built once from its configuration and never changed:
 * the filter holds one in a single {@code volatile} field, so a request sees all of it or none.
 *
 * @param config the configuration
 * @param client the protocol client (owned: closed by {@link #close()})
 * @param sessions the session manager (owned; an executor it was given is left running)
 * @param store the manager's store, also holding the short-lived "state consumed" marks
 * @param pendingLogins the sealed pending-login cookies
 * @param cookies the cookie attributes and the session cookie's name
 * @param rules cross-site, navigation and public-path rules
 * @param script {@code session.js}
 */
record FilterRuntime(
    OidcSessionConfig config,
    OidcClient client,
    SessionManager sessions,
    SessionStore store,
    PendingLoginCookies pendingLogins,
    Cookies cookies,
    RequestRules rules,
    byte[] script) {

  private static final Logger log = LoggerFactory.getLogger(OidcSessionFilter.class);

  /** The label under which the back-channel index key is derived from the client secret. */
  private static final byte[] INDEX_LABEL =
      "oidc-session/v1/index-key".getBytes(StandardCharsets.US_ASCII);

  /** Wires the protocol client, the session manager and the cookies from {@code cfg}. */
  static FilterRuntime start(OidcSessionConfig cfg) {
    byte[] script = loadScript();
    OidcClientConfig clientConfig = cfg.oidcClientConfig();
    OidcClient oidc = OidcClient.create(clientConfig, cfg.httpClient());
    SessionStore store = cfg.store().orElseGet(() -> new InMemorySessionStore(cfg.clock()));
    SessionManager.Builder manager =
        SessionManager.builder().renewer(oidc).policy(cfg.policy()).clock(cfg.clock())
            .listener(cfg.listener()).store(store);
    cfg.executor().ifPresent(manager::executor);
    cfg.decodedCacheSize().ifPresent(manager::decodedCacheSize);
    byte[] secret = cfg.sessionSecret().or(cfg::clientSecretBytes).orElse(null);
    if (secret == null) {
      secret = new byte[32];
      new SecureRandom().nextBytes(secret);
      log.warn("no SESSION_SECRET and no client secret: the pending-login cookie key is random per"
          + " process, so a login started on one server cannot complete on another; set"
          + " SESSION_SECRET (at least 32 characters) for anything but single-node development");
    }
    // The back-channel indexes are keyed hashes whenever there is secret material (security
    // review #20): SESSION_SECRET as before, else a key derived from the client secret under its
    // own label (neither the raw secret nor the pending-login key). Rotating either secret blinds
    // back-channel logout for the sessions indexed under the old key until they expire.
    cfg.sessionSecret()
        .or(() -> cfg.clientSecretBytes().map(s -> Digests.hmacSha256(s, INDEX_LABEL)))
        .ifPresent(manager::indexSecret);
    if (!cfg.secureCookies()) {
      log.warn("BASE_URL is {}: cookies are sent without Secure and without the __Host- prefix;"
          + " use this for local development only", cfg.baseUrl());
    }
    FilterRuntime runtime = new FilterRuntime(cfg, oidc, manager.build(), store,
        new PendingLoginCookies(secret, cfg.secureCookies(), clientConfig.pendingLoginMaxAge()), new Cookies(cfg.secureCookies()),
        new RequestRules(cfg), script);
    log.info("oidc-session filter started: {}", cfg);
    return runtime;
  }

  private static byte[] loadScript() {
    try (InputStream in = OidcSessionFilter.class.getResourceAsStream("session.js")) {
      if (in == null) {
        throw new IllegalStateException("session.js is missing from the session-servlet jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("session.js could not be read", e);
    }
  }

  /** Closes the session manager and the protocol client. */
  void close() {
    sessions.close();
    client.close();
  }
}
