package dev.oidcsession.examples.provider;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.PlainClientSecret;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.JWTID;
import com.nimbusds.oauth2.sdk.id.Subject;
import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCError;
import com.nimbusds.openid.connect.sdk.OIDCScopeValue;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.Prompt;
import com.nimbusds.openid.connect.sdk.SubjectType;
import com.nimbusds.openid.connect.sdk.claims.AccessTokenHash;
import com.nimbusds.openid.connect.sdk.claims.AuthorizedParty;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.LogoutTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.SessionID;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's state and protocol decisions, apart from HTTP: registered client, provider
 * sessions, authorization codes and refresh tokens, and the rules each endpoint applies. Takes
 * parsed nimbus requests, returns nimbus responses or plain decisions; {@link ProviderServlet} does
 * the HTTP.
 *
 * <p>Thread-safe: every map is concurrent and each one-time credential (code, refresh token) is
 * consumed with one atomic {@code remove}, so of two concurrent presentations at most one wins.
 */
final class ProviderCore {

  private static final Logger log = LoggerFactory.getLogger(ProviderCore.class);

  /** RFC 6749 §4.1.2: codes are short-lived; 10 minutes is the maximum, one is plenty here. */
  static final Duration CODE_LIFETIME = Duration.ofMinutes(1);

  /** Map size above which expired entries are swept at the next login. */
  static final int PRUNE_THRESHOLD = 1_000;

  /** Size of codes, refresh tokens and session ids: 256 bits. */
  static final int SECRET_BYTES = 32;

  static final Scope SUPPORTED_SCOPES =
      new Scope(
          OIDCScopeValue.OPENID,
          OIDCScopeValue.PROFILE,
          OIDCScopeValue.EMAIL,
          OIDCScopeValue.OFFLINE_ACCESS);

  /** A login at the provider: who, and the provider session it belongs to. */
  record Login(String subject, String sid, Instant authTime) {}

  /** What an authorization code was issued for (OIDC Core 3.1.2.5; RFC 7636 §4.4). */
  private record CodeGrant(
      String clientId,
      URI redirectUri,
      Nonce nonce,
      CodeChallenge challenge,
      Scope scope,
      Login login,
      Instant expiresAt) {}

  /** What a refresh token was issued for. */
  private record RefreshGrant(String clientId, Scope scope, Login login, Instant expiresAt) {}

  private final String clientId;
  private final byte[] clientSecretDigest;
  final Set<URI> redirectUris = new CopyOnWriteArraySet<>();
  final Set<URI> postLogoutRedirectUris = new CopyOnWriteArraySet<>();
  final Set<URI> backChannelLogoutUris = new CopyOnWriteArraySet<>();
  private final Clock clock;
  private final TokenSigner signer = TokenSigner.generate();
  private final SecureRandom random = new SecureRandom();

  volatile Duration accessTokenLifetime;
  volatile Duration idTokenLifetime;
  volatile Duration refreshTokenLifetime;
  private volatile String issuer;

  private final ConcurrentHashMap<String, CodeGrant> codes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, RefreshGrant> refreshTokens = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Login> sessions = new ConcurrentHashMap<>();

  final AtomicInteger refreshGrants = new AtomicInteger();
  final AtomicInteger rejectedRefreshGrants = new AtomicInteger();
  final AtomicInteger revocations = new AtomicInteger();

  ProviderCore(String clientId, String clientSecret, Clock clock) {
    this.clientId = clientId;
    this.clientSecretDigest = sha256(clientSecret);
    this.clock = clock;
  }

  void issuer(String value) {
    this.issuer = value;
  }

  String issuer() {
    return issuer;
  }

  String clientId() {
    return clientId;
  }

  URI endpoint(String path) {
    return URI.create(issuer + path);
  }

  TokenSigner signer() {
    return signer;
  }

  // ---------------------------------------------------------------- discovery

  /** OIDC Discovery 1.0 §3, plus RFC 9207 and Back-Channel Logout 1.0 §2.1. */
  OIDCProviderMetadata metadata() {
    OIDCProviderMetadata m =
        new OIDCProviderMetadata(
            new Issuer(issuer), List.of(SubjectType.PUBLIC), endpoint(ProviderServlet.JWKS));
    m.setAuthorizationEndpointURI(endpoint(ProviderServlet.AUTHORIZE));
    m.setTokenEndpointURI(endpoint(ProviderServlet.TOKEN));
    m.setRevocationEndpointURI(endpoint(ProviderServlet.REVOKE));
    m.setEndSessionEndpointURI(endpoint(ProviderServlet.LOGOUT));
    m.setScopes(SUPPORTED_SCOPES);
    m.setResponseTypes(List.of(ResponseType.CODE));
    m.setGrantTypes(List.of(GrantType.AUTHORIZATION_CODE, GrantType.REFRESH_TOKEN));
    m.setCodeChallengeMethods(List.of(CodeChallengeMethod.S256));
    m.setIDTokenJWSAlgs(List.of(JWSAlgorithm.RS256));
    List<ClientAuthenticationMethod> auth =
        List.of(ClientAuthenticationMethod.CLIENT_SECRET_BASIC, ClientAuthenticationMethod.CLIENT_SECRET_POST);
    m.setTokenEndpointAuthMethods(auth);
    m.setRevocationEndpointAuthMethods(auth);
    m.setSupportsBackChannelLogout(true);
    m.setSupportsBackChannelLogoutSession(true);
    m.setSupportsAuthorizationResponseIssuerParam(true);
    return m;
  }

  // ---------------------------------------------------------------- authorization

  /** RFC 6749 §4.1.2.1: never redirect to an unknown client or an unregistered redirect_uri. */
  Optional<String> rejectWithoutRedirect(String requestClientId, String redirectUri) {
    if (requestClientId == null || !clientId.equals(requestClientId)) {
      return Optional.of("The client_id is missing or not registered with this provider.");
    }
    if (redirectUri == null) {
      return Optional.of("The redirect_uri is missing.");
    }
    URI uri;
    try {
      uri = new URI(redirectUri);
    } catch (java.net.URISyntaxException e) {
      return Optional.of("The redirect_uri is not a URI.");
    }
    // OIDC Core 3.1.2.1: simple string comparison with a registered URI.
    if (!redirectUris.contains(uri)) {
      return Optional.of("The redirect_uri is not registered for this client.");
    }
    return Optional.empty();
  }

  /**
   * The error to redirect back with, or empty when {@code request} may proceed to the login form.
   * Only called once the client and redirect URI were accepted.
   */
  Optional<ErrorObject> rejectAuthentication(AuthenticationRequest request) {
    if (!ResponseType.CODE.equals(request.getResponseType())) {
      return Optional.of(
          OAuth2Error.UNSUPPORTED_RESPONSE_TYPE.setDescription("only response_type=code is supported"));
    }
    // RFC 7636 §4.4.1 and RFC 9700 §2.1.1: PKCE with S256 is required here.
    if (request.getCodeChallenge() == null
        || !CodeChallengeMethod.S256.equals(request.getCodeChallengeMethod())) {
      return Optional.of(
          OAuth2Error.INVALID_REQUEST.setDescription("PKCE with code_challenge_method S256 is required"));
    }
    if (request.getPrompt() != null && request.getPrompt().contains(Prompt.Type.NONE)) {
      // OIDC Core 3.1.2.6: there is no single sign-on session to reuse without a form.
      return Optional.of(OIDCError.LOGIN_REQUIRED);
    }
    return Optional.empty();
  }

  /** Starts a provider session for {@code username} and issues a one-time code for {@code request}. */
  AuthorizationCode login(AuthenticationRequest request, String username) {
    Instant now = clock.instant();
    prune(now);
    Login login = new Login(username, randomValue(), now);
    sessions.put(login.sid(), login);
    Scope scope = new Scope();
    for (String value : request.getScope().toStringList()) {
      if (SUPPORTED_SCOPES.contains(value)) {
        scope.add(value);
      }
    }
    AuthorizationCode code = new AuthorizationCode(randomValue());
    codes.put(
        code.getValue(),
        new CodeGrant(
            clientId,
            request.getRedirectionURI(),
            request.getNonce(),
            request.getCodeChallenge(),
            scope,
            login,
            now.plus(CODE_LIFETIME)));
    log.debug("login of {} started provider session {}", username, fingerprint(login.sid()));
    return code;
  }

  // ---------------------------------------------------------------- token endpoint

  /** RFC 6749 §3.2 and §5: authenticates the client, then serves the grant. */
  TokenResponse token(TokenRequest request) {
    AuthorizationGrant grant = request.getAuthorizationGrant();
    if (grant instanceof RefreshTokenGrant) {
      refreshGrants.incrementAndGet();
    }
    if (!authenticated(request.getClientAuthentication())) {
      log.debug("token request rejected: client authentication failed");
      countRejected(grant);
      return new TokenErrorResponse(OAuth2Error.INVALID_CLIENT);
    }
    if (grant instanceof AuthorizationCodeGrant code) {
      return exchange(code);
    }
    if (grant instanceof RefreshTokenGrant refresh) {
      return refresh(refresh);
    }
    return new TokenErrorResponse(OAuth2Error.UNSUPPORTED_GRANT_TYPE);
  }

  private void countRejected(AuthorizationGrant grant) {
    if (grant instanceof RefreshTokenGrant) {
      rejectedRefreshGrants.incrementAndGet();
    }
  }

  /** client_secret_basic or client_secret_post with this client's id and secret, in constant time. */
  boolean authenticated(ClientAuthentication auth) {
    if (!(auth instanceof PlainClientSecret plain)) {
      return false;
    }
    // Compare digests: constant time and independent of the presented secret's length.
    boolean secretMatches =
        MessageDigest.isEqual(clientSecretDigest, sha256(plain.getClientSecret().getValue()));
    return secretMatches & clientId.equals(plain.getClientID().getValue());
  }

  private TokenResponse exchange(AuthorizationCodeGrant grant) {
    // RFC 6749 §4.1.2: a code is used once; removing it first means a replay always fails.
    CodeGrant issued = codes.remove(grant.getAuthorizationCode().getValue());
    Instant now = clock.instant();
    if (issued == null) {
      return invalidGrant("authorization code is unknown or was used");
    }
    if (!issued.expiresAt().isAfter(now)) {
      return invalidGrant("authorization code expired");
    }
    // RFC 6749 §4.1.3: the redirect_uri must be identical to the authorization request's.
    if (!issued.redirectUri().equals(grant.getRedirectionURI())) {
      return invalidGrant("redirect_uri does not match the authorization request");
    }
    // RFC 7636 §4.6: S256(code_verifier) must equal the code_challenge.
    CodeVerifier verifier = grant.getCodeVerifier();
    if (verifier == null
        || !constantTimeEquals(
            CodeChallenge.compute(CodeChallengeMethod.S256, verifier).getValue(),
            issued.challenge().getValue())) {
      return invalidGrant("PKCE code_verifier does not match the code_challenge");
    }
    if (!sessions.containsKey(issued.login().sid())) {
      return invalidGrant("the provider session has ended");
    }
    return tokens(issued.scope(), issued.login(), issued.nonce());
  }

  private TokenResponse refresh(RefreshTokenGrant grant) {
    // Rotation (RFC 9700 §4.14.2): the presented token dies now, whatever happens next; of two
    // concurrent presentations only one removes it.
    RefreshGrant issued = refreshTokens.remove(grant.getRefreshToken().getValue());
    Instant now = clock.instant();
    if (issued == null) {
      rejectedRefreshGrants.incrementAndGet();
      return invalidGrant("refresh token is unknown, rotated or revoked");
    }
    if (!issued.expiresAt().isAfter(now)) {
      rejectedRefreshGrants.incrementAndGet();
      return invalidGrant("refresh token expired");
    }
    if (!sessions.containsKey(issued.login().sid())) {
      rejectedRefreshGrants.incrementAndGet();
      return invalidGrant("the provider session has ended");
    }
    log.debug("refresh for {} in provider session {}", issued.login().subject(), fingerprint(issued.login().sid()));
    return tokens(issued.scope(), issued.login(), null);
  }

  private static TokenErrorResponse invalidGrant(String why) {
    log.debug("token request rejected: {}", why);
    return new TokenErrorResponse(OAuth2Error.INVALID_GRANT.setDescription(why));
  }

  /**
   * A fresh access token (a signed JWT, RFC 9068), ID token and rotated refresh token. {@code iat}
   * is wall time (relying parties compare it with their wall clock); every {@code exp} is the
   * configured clock plus the lifetime in force now.
   */
  private OIDCTokenResponse tokens(Scope scope, Login login, Nonce nonce) {
    Instant now = clock.instant();
    Date iat = Date.from(Instant.now());
    Duration accessLifetime = accessTokenLifetime;
    JWTClaimsSet accessClaims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .subject(login.subject())
            .audience(clientId)
            .issueTime(iat)
            .expirationTime(Date.from(now.plus(accessLifetime)))
            .jwtID(randomValue())
            .claim("client_id", clientId)
            .claim("scope", scope.toString())
            .claim("sid", login.sid())
            .build();
    BearerAccessToken accessToken =
        new BearerAccessToken(
            signer.sign(accessClaims, TokenSigner.ACCESS_TOKEN_TYPE),
            Math.max(1, accessLifetime.toSeconds()),
            scope);

    // OIDC Core 2 and 3.1.3.6; 12.2: a refreshed ID token keeps iss, sub and aud, and has no nonce.
    IDTokenClaimsSet id =
        new IDTokenClaimsSet(
            new Issuer(issuer),
            new Subject(login.subject()),
            List.of(new Audience(clientId)),
            Date.from(now.plus(idTokenLifetime)),
            iat);
    id.setAuthenticationTime(Date.from(login.authTime()));
    id.setNonce(nonce);
    id.setAuthorizedParty(new AuthorizedParty(clientId));
    id.setSessionID(new SessionID(login.sid()));
    id.setAccessTokenHash(AccessTokenHash.compute(accessToken, JWSAlgorithm.RS256, null));
    id.setClaim("preferred_username", login.subject());
    id.setClaim("name", login.subject());
    String idToken;
    try {
      idToken = signer.sign(id.toJWTClaimsSet(), JOSEObjectType.JWT);
    } catch (ParseException e) {
      throw new IllegalStateException("ID token claims could not be built", e);
    }

    RefreshToken refreshToken = new RefreshToken(randomValue());
    refreshTokens.put(
        refreshToken.getValue(),
        new RefreshGrant(clientId, scope, login, now.plus(refreshTokenLifetime)));
    return new OIDCTokenResponse(new OIDCTokens(idToken, accessToken, refreshToken));
  }

  // ---------------------------------------------------------------- revocation

  /**
   * RFC 7009 §2.1: revokes a refresh token of this client; unknown tokens and access tokens are
   * answered as revoked (§2.2). Returns false when the client is not authenticated.
   */
  boolean revoke(TokenRevocationRequest request) {
    if (!authenticated(request.getClientAuthentication())) {
      log.debug("revocation rejected: client authentication failed");
      return false;
    }
    refreshTokens.remove(request.getToken().getValue());
    revocations.incrementAndGet();
    return true;
  }

  // ---------------------------------------------------------------- logout

  /** The claims of an {@code id_token_hint} this provider signed for its client, if it is one. */
  Optional<JWTClaimsSet> verifiedHint(JWT hint) {
    return signer
        .verified(hint)
        .filter(c -> issuer.equals(c.getIssuer()))
        .filter(c -> c.getAudience() != null && c.getAudience().contains(clientId));
  }

  /** Ends provider session {@code sid}: its refresh tokens and unused codes die with it. */
  Optional<Login> endSession(String sid) {
    Login ended = sid == null ? null : sessions.remove(sid);
    if (ended == null) {
      return Optional.empty();
    }
    refreshTokens.values().removeIf(g -> g.login().sid().equals(sid));
    codes.values().removeIf(g -> g.login().sid().equals(sid));
    log.debug("provider session {} of {} ended", fingerprint(sid), ended.subject());
    return Optional.of(ended);
  }

  /** The sessions of {@code subject}, ended. */
  List<Login> endSessionsOf(String subject) {
    List<Login> ended = new ArrayList<>();
    for (Map.Entry<String, Login> session : sessions.entrySet()) {
      if (session.getValue().subject().equals(subject)) {
        endSession(session.getKey()).ifPresent(ended::add);
      }
    }
    return ended;
  }

  /**
   * A back-channel logout token for {@code login} (Back-Channel Logout 1.0 §2.4): iss, aud, iat,
   * exp, a fresh jti, events, sid and sub, no nonce; typ logout+jwt. Its times are wall time: the
   * relying party checks them against its wall clock.
   */
  String logoutToken(Login login, Duration lifetime) {
    Instant now = Instant.now();
    LogoutTokenClaimsSet claims =
        new LogoutTokenClaimsSet(
            new Issuer(issuer),
            new Subject(login.subject()),
            List.of(new Audience(clientId)),
            Date.from(now),
            Date.from(now.plus(lifetime)),
            new JWTID(randomValue()),
            new SessionID(login.sid()));
    try {
      return signer.sign(claims.toJWTClaimsSet(), TokenSigner.LOGOUT_TOKEN_TYPE);
    } catch (ParseException e) {
      throw new IllegalStateException("logout token claims could not be built", e);
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Forgets expired codes and refresh tokens, so a long-running example does not grow. */
  private void prune(Instant now) {
    if (codes.size() > PRUNE_THRESHOLD) {
      codes.values().removeIf(g -> !g.expiresAt().isAfter(now));
    }
    if (refreshTokens.size() > PRUNE_THRESHOLD) {
      refreshTokens.values().removeIf(g -> !g.expiresAt().isAfter(now));
    }
  }

  String randomValue() {
    byte[] bytes = new byte[SECRET_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A short, non-reversible tag for logs: never the value itself. */
  static String fingerprint(String secret) {
    byte[] digest = sha256(secret);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 8);
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(sha256(a), sha256(b));
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
