package dev.oidcsession.servlet;

import dev.oidcsession.core.SessionManager;
import dev.oidcsession.core.oidc.OidcClient;
import java.io.IOException;
import java.io.InputStream;
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
 * @param pendingLogins the sealed pending-login cookies
 * @param cookies the cookie attributes and the session cookie's name
 * @param rules cross-site, navigation and public-path rules
 * @param script {@code session.js}
 */
record FilterRuntime(
    OidcSessionConfig config,
    OidcClient client,
    SessionManager sessions,
    PendingLoginCookies pendingLogins,
    Cookies cookies,
    RequestRules rules,
    byte[] script) {

  private static final Logger log = LoggerFactory.getLogger(OidcSessionFilter.class);

  /** Wires the protocol client, the session manager and the cookies from {@code cfg}. */
  static FilterRuntime start(OidcSessionConfig cfg) {
    byte[] script = loadScript();
    OidcClient oidc = OidcClient.create(cfg.oidcClientConfig(), cfg.httpClient());
    SessionManager.Builder manager =
        SessionManager.builder().renewer(oidc).policy(cfg.policy()).clock(cfg.clock())
            .listener(cfg.listener());
    cfg.store().ifPresent(manager::store);
    cfg.executor().ifPresent(manager::executor);
    byte[] secret = cfg.sessionSecret().or(cfg::clientSecretBytes).orElse(null);
    if (secret == null) {
      secret = new byte[32];
      new SecureRandom().nextBytes(secret);
      log.warn("no SESSION_SECRET and no client secret: the pending-login cookie key is random per"
          + " process, so a login started on one server cannot complete on another; set"
          + " SESSION_SECRET (at least 32 characters) for anything but single-node development");
    }
    cfg.sessionSecret().ifPresent(manager::indexSecret);
    if (!cfg.secureCookies()) {
      log.warn("BASE_URL is {}: cookies are sent without Secure and without the __Host- prefix;"
          + " use this for local development only", cfg.baseUrl());
    }
    FilterRuntime runtime = new FilterRuntime(cfg, oidc, manager.build(),
        new PendingLoginCookies(secret, cfg.secureCookies()), new Cookies(cfg.secureCookies()),
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
