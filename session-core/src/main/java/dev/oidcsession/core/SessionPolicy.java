package dev.oidcsession.core;

import static dev.oidcsession.core.internal.Settings.atMost;
import static dev.oidcsession.core.internal.Settings.notNegative;
import static dev.oidcsession.core.internal.Settings.once;
import static dev.oidcsession.core.internal.Settings.positive;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * The lifecycle rules of a session: when it expires, when its tokens are renewed, and what a
 * request at a given instant must do ({@link #assess}). Immutable and thread-safe; every method is
 * a pure function of its arguments and the settings.
 *
 * <p>The rules (all times wall-clock, from the manager's {@link java.time.Clock}):
 *
 * <ul>
 *   <li>{@code expiresAt = min(accessTokenExpiry − tokenExpirySkew, idTokenExpiry −
 *       tokenExpirySkew, createdAt + maxLifetime)}; an access token with no known expiry leaves the ID token to bound it.
 *   <li>With {@code L = expiresAt − renewedAt}: {@code renewAt = renewedAt + min(renewalInterval ·
 *       (1 + u), max(L − renewalLead, L / 2))}, {@code u} in {@code [−renewalJitter,
 *       +renewalJitter]}. The {@code L/2} floor keeps providers with tokens shorter than the lead
 *       from renewing on every request. A session without a refresh token has {@code renewAt =
 *       expiresAt}.
 * </ul>
 */
public final class SessionPolicy {

  /** Default {@link Builder#renewalInterval}: 15 minutes. */
  public static final Duration DEFAULT_RENEWAL_INTERVAL = Duration.ofMinutes(15);
  /** Default {@link Builder#renewalJitter}: 0.1. */
  public static final double DEFAULT_RENEWAL_JITTER = 0.1;
  /** Largest {@link Builder#renewalJitter}, exclusive: at 1 a renewal could fall due at once. */
  public static final double MAX_RENEWAL_JITTER = 1.0;
  /** Default {@link Builder#renewalLead}: 60 seconds. */
  public static final Duration DEFAULT_RENEWAL_LEAD = Duration.ofSeconds(60);
  /** Default {@link Builder#minTokenTtl}: 30 seconds. */
  public static final Duration DEFAULT_MIN_TOKEN_TTL = Duration.ofSeconds(30);
  /** Default {@link Builder#tokenExpirySkew}: zero. */
  public static final Duration DEFAULT_TOKEN_EXPIRY_SKEW = Duration.ZERO;
  /** Largest {@link Builder#tokenExpirySkew}: 5 minutes. */
  public static final Duration MAX_TOKEN_EXPIRY_SKEW = Duration.ofMinutes(5);
  /** Default {@link Builder#renewalRetryInitialDelay}: 1 second. */
  public static final Duration DEFAULT_RETRY_INITIAL_DELAY = Duration.ofSeconds(1);
  /** Default {@link Builder#renewalRetryMaxDelay}: 5 minutes. */
  public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofMinutes(5);
  /** Default {@link Builder#renewalLease}: 60 seconds. */
  public static final Duration DEFAULT_RENEWAL_LEASE = Duration.ofSeconds(60);
  /** Default {@link Builder#renewalWaitTimeout}: 10 seconds. */
  public static final Duration DEFAULT_RENEWAL_WAIT_TIMEOUT = Duration.ofSeconds(10);

  private final Duration renewalInterval;
  private final double renewalJitter;
  private final Duration renewalLead;
  private final Duration minTokenTtl;
  private final Optional<Duration> maxLifetime;
  private final Optional<Duration> idleTimeout;
  private final Duration tokenExpirySkew;
  private final Duration renewalRetryInitialDelay;
  private final Duration renewalRetryMaxDelay;
  private final Duration renewalLease;
  private final Duration renewalWaitTimeout;

  private SessionPolicy(Builder b) {
    this.renewalInterval = Objects.requireNonNullElse(b.renewalInterval, DEFAULT_RENEWAL_INTERVAL);
    this.renewalJitter = b.renewalJitter != null ? b.renewalJitter : DEFAULT_RENEWAL_JITTER;
    this.renewalLead = Objects.requireNonNullElse(b.renewalLead, DEFAULT_RENEWAL_LEAD);
    this.minTokenTtl = Objects.requireNonNullElse(b.minTokenTtl, DEFAULT_MIN_TOKEN_TTL);
    this.maxLifetime = Optional.ofNullable(b.maxLifetime);
    this.idleTimeout = Optional.ofNullable(b.idleTimeout);
    this.tokenExpirySkew =
        Objects.requireNonNullElse(b.tokenExpirySkew, DEFAULT_TOKEN_EXPIRY_SKEW);
    this.renewalRetryInitialDelay =
        Objects.requireNonNullElse(b.renewalRetryInitialDelay, DEFAULT_RETRY_INITIAL_DELAY);
    this.renewalRetryMaxDelay =
        Objects.requireNonNullElse(b.renewalRetryMaxDelay, DEFAULT_RETRY_MAX_DELAY);
    this.renewalLease = Objects.requireNonNullElse(b.renewalLease, DEFAULT_RENEWAL_LEASE);
    this.renewalWaitTimeout =
        Objects.requireNonNullElse(b.renewalWaitTimeout, DEFAULT_RENEWAL_WAIT_TIMEOUT);
  }

  /** The policy with every default. */
  public static SessionPolicy defaults() {
    return builder().build();
  }

  /** A builder; each setter validates its value, and each may be called once. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * When a session with these tokens, created at {@code createdAt}, ends.
   *
   * @return {@code min(accessTokenExpiry − tokenExpirySkew, idTokenExpiry − tokenExpirySkew,
   *     createdAt + maxLifetime)}, truncated to milliseconds
   */
  public Instant expiresAt(TokenSet tokens, Instant createdAt) {
    Instant expiresAt = tokens.idToken().expiresAt().minus(tokenExpirySkew);
    Optional<Instant> accessExpiry =
        tokens.accessTokenExpiresAt().map(t -> t.minus(tokenExpirySkew));
    if (accessExpiry.isPresent() && accessExpiry.get().isBefore(expiresAt)) {
      expiresAt = accessExpiry.get();
    }
    if (maxLifetime.isPresent()) {
      Instant cap = createdAt.plus(maxLifetime.get());
      if (cap.isBefore(expiresAt)) {
        expiresAt = cap;
      }
    }
    return expiresAt.truncatedTo(ChronoUnit.MILLIS);
  }

  /**
   * When tokens obtained at {@code renewedAt} become due for renewal.
   *
   * @param renewedAt when the tokens were obtained
   * @param expiresAt the session's expiry
   * @param renewable whether there is a refresh token; if not, the result is {@code expiresAt}
   * @param jitterDraw {@code u / renewalJitter}, in {@code [−1, 1]}: the position of this session
   *     inside the jitter band
   * @return {@code renewedAt + min(renewalInterval · (1 + u), max(L − renewalLead, L / 2))},
   *     truncated to milliseconds, never after {@code expiresAt}
   * @throws IllegalArgumentException if {@code jitterDraw} is outside {@code [−1, 1]}
   */
  Instant renewAt(Instant renewedAt, Instant expiresAt, boolean renewable, double jitterDraw) {
    if (!(jitterDraw >= -1.0 && jitterDraw <= 1.0)) {
      throw new IllegalArgumentException("jitterDraw must be in [-1, 1], but was " + jitterDraw);
    }
    if (!renewable || !expiresAt.isAfter(renewedAt)) {
      return expiresAt;
    }
    Duration left = Duration.between(renewedAt, expiresAt);
    double u = renewalJitter * jitterDraw;
    Duration jittered = Duration.ofNanos(Math.round(renewalInterval.toNanos() * (1.0 + u)));
    Duration beforeLead = left.minus(renewalLead);
    Duration half = left.dividedBy(2);
    Duration cap = beforeLead.compareTo(half) > 0 ? beforeLead : half;
    Duration delay = jittered.compareTo(cap) < 0 ? jittered : cap;
    Instant renewAt = renewedAt.plus(delay).truncatedTo(ChronoUnit.MILLIS);
    return renewAt.isAfter(expiresAt) ? expiresAt : renewAt;
  }

  /**
   * What a request at {@code now} must do with {@code session}, checked in the order of {@link
   * SessionState}'s constants. Boundaries are inclusive: at exactly {@code expiresAt} the session
   * is expired, at exactly {@code renewAt} a renewal is due.
   */
  public SessionState assess(Session session, Instant now) {
    if (!now.isBefore(session.expiresAt())) {
      return SessionState.EXPIRED;
    }
    if (idleTimeout.isPresent() && !now.isBefore(session.lastSeenAt().plus(idleTimeout.get()))) {
      return SessionState.IDLE;
    }
    if (!session.renewable() || now.isBefore(session.renewAt())) {
      return SessionState.VALID;
    }
    Duration accessLeft = Duration.between(now, session.accessTokenExpiresAt());
    return accessLeft.compareTo(minTokenTtl) < 0
        ? SessionState.RENEW_AND_WAIT
        : SessionState.RENEW_IN_BACKGROUND;
  }

  /**
   * Whether a request at {@code now} should record itself as {@code lastSeenAt}: an idle timeout
   * is set and the last mark is at least a tenth of it old, so reads stay reads.
   */
  boolean shouldMarkSeen(Session session, Instant now) {
    return idleTimeout
        .map(idle -> !now.isBefore(session.lastSeenAt().plus(idle.dividedBy(10))))
        .orElse(false);
  }

  /**
   * When the store may drop the session: {@code expiresAt}, or the idle deadline when that is
   * earlier.
   */
  Instant storeExpiry(Session session) {
    if (idleTimeout.isEmpty()) {
      return session.expiresAt();
    }
    Instant idleAt = session.lastSeenAt().plus(idleTimeout.get());
    return idleAt.isBefore(session.expiresAt()) ? idleAt : session.expiresAt();
  }

  /** The target time between renewals. */
  public Duration renewalInterval() {
    return renewalInterval;
  }

  /** The jitter fraction {@code j}: renewals spread over {@code interval · [1 − j, 1 + j]}. */
  public double renewalJitter() {
    return renewalJitter;
  }

  /** How long before {@code expiresAt} a renewal is due at the latest (subject to the L/2 floor). */
  public Duration renewalLead() {
    return renewalLead;
  }

  /** Below this much access-token life left, a request waits for the renewal. */
  public Duration minTokenTtl() {
    return minTokenTtl;
  }

  /** The cap on a session's life from login, if any. */
  public Optional<Duration> maxLifetime() {
    return maxLifetime;
  }

  /** How long a session may go without a request, if limited. */
  public Optional<Duration> idleTimeout() {
    return idleTimeout;
  }

  /** How much earlier than their {@code exp} tokens are treated as expired. */
  public Duration tokenExpirySkew() {
    return tokenExpirySkew;
  }

  /** The first retry's backoff cap after a transient renewal failure. */
  public Duration renewalRetryInitialDelay() {
    return renewalRetryInitialDelay;
  }

  /** The largest backoff cap between renewal retries. */
  public Duration renewalRetryMaxDelay() {
    return renewalRetryMaxDelay;
  }

  /** How long a renewal lease lasts; must outlive the refresh call's HTTP timeout. */
  public Duration renewalLease() {
    return renewalLease;
  }

  /** How long a request that must wait for a renewal waits at most. */
  public Duration renewalWaitTimeout() {
    return renewalWaitTimeout;
  }

  @Override
  public String toString() {
    return "SessionPolicy[renewalInterval="
        + renewalInterval
        + ", renewalJitter="
        + renewalJitter
        + ", renewalLead="
        + renewalLead
        + ", minTokenTtl="
        + minTokenTtl
        + ", maxLifetime="
        + maxLifetime.map(Duration::toString).orElse("none")
        + ", idleTimeout="
        + idleTimeout.map(Duration::toString).orElse("none")
        + ", tokenExpirySkew="
        + tokenExpirySkew
        + ", renewalRetryInitialDelay="
        + renewalRetryInitialDelay
        + ", renewalRetryMaxDelay="
        + renewalRetryMaxDelay
        + ", renewalLease="
        + renewalLease
        + ", renewalWaitTimeout="
        + renewalWaitTimeout
        + "]";
  }

  /**
   * Builds a {@link SessionPolicy}. A setter rejects a bad value with {@link
   * IllegalArgumentException} and a second call with {@link IllegalStateException}; {@link
   * #build()} checks only the rules that span settings, and leaves the builder as it was.
   */
  public static final class Builder {

    private Duration renewalInterval;
    private Double renewalJitter;
    private Duration renewalLead;
    private Duration minTokenTtl;
    private Duration maxLifetime;
    private Duration idleTimeout;
    private Duration tokenExpirySkew;
    private Duration renewalRetryInitialDelay;
    private Duration renewalRetryMaxDelay;
    private Duration renewalLease;
    private Duration renewalWaitTimeout;

    private Builder() {}

    /** Target time between renewals; positive. Default 15 minutes. */
    public Builder renewalInterval(Duration value) {
      once(renewalInterval, "renewalInterval");
      renewalInterval = positive(value, "renewalInterval");
      return this;
    }

    /**
     * Jitter fraction {@code j}: each renewal falls in {@code interval · [1 − j, 1 + j]}, spread
     * evenly. At least 0.0 and less than 1.0. Default 0.1.
     */
    public Builder renewalJitter(double value) {
      once(renewalJitter, "renewalJitter");
      if (!(value >= 0.0 && value < MAX_RENEWAL_JITTER)) {
        throw new IllegalArgumentException(
            "renewalJitter must be at least 0.0 and less than "
                + MAX_RENEWAL_JITTER
                + ", but was "
                + value);
      }
      renewalJitter = value;
      return this;
    }

    /** How long before expiry a renewal is due at the latest; zero or positive. Default 60 s. */
    public Builder renewalLead(Duration value) {
      once(renewalLead, "renewalLead");
      renewalLead = notNegative(value, "renewalLead");
      return this;
    }

    /**
     * Access-token life below which a request waits for a due renewal instead of being served
     * with the current token; zero or positive, at most {@code renewalLead}. Default 30 s.
     */
    public Builder minTokenTtl(Duration value) {
      once(minTokenTtl, "minTokenTtl");
      minTokenTtl = notNegative(value, "minTokenTtl");
      return this;
    }

    /** Cap on a session's life from login, whatever the tokens say; positive. Default none. */
    public Builder maxLifetime(Duration value) {
      once(maxLifetime, "maxLifetime");
      maxLifetime = positive(value, "maxLifetime");
      return this;
    }

    /** End a session after this long without a request; positive. Default none. */
    public Builder idleTimeout(Duration value) {
      once(idleTimeout, "idleTimeout");
      idleTimeout = positive(value, "idleTimeout");
      return this;
    }

    /**
     * Treat tokens as expired this much before their {@code exp}, for a provider whose clock runs
     * ahead of ours; zero to 5 minutes. Default zero. Only moves the session's expiry; the
     * tolerance of ID-token validation is {@code OidcClientConfig.maxClockSkew}, a different skew.
     */
    public Builder tokenExpirySkew(Duration value) {
      once(tokenExpirySkew, "tokenExpirySkew");
      tokenExpirySkew = atMost(
          notNegative(value, "tokenExpirySkew"), MAX_TOKEN_EXPIRY_SKEW, "tokenExpirySkew");
      return this;
    }

    /** Backoff cap of the first retry after a transient failure; positive. Default 1 s. */
    public Builder renewalRetryInitialDelay(Duration value) {
      once(renewalRetryInitialDelay, "renewalRetryInitialDelay");
      renewalRetryInitialDelay = positive(value, "renewalRetryInitialDelay");
      return this;
    }

    /**
     * Largest backoff cap between retries; positive, at least {@code renewalRetryInitialDelay}.
     * Default 5 minutes.
     */
    public Builder renewalRetryMaxDelay(Duration value) {
      once(renewalRetryMaxDelay, "renewalRetryMaxDelay");
      renewalRetryMaxDelay = positive(value, "renewalRetryMaxDelay");
      return this;
    }

    /**
     * How long one renewal holds its lease across servers; positive, longer than the refresh
     * call's HTTP timeout so a rotating refresh token is never used twice. Default 60 s.
     */
    public Builder renewalLease(Duration value) {
      once(renewalLease, "renewalLease");
      renewalLease = positive(value, "renewalLease");
      return this;
    }

    /**
     * How long a request whose access token is about to expire waits for the renewal; positive,
     * at most {@code renewalLease}. Default 10 s.
     */
    public Builder renewalWaitTimeout(Duration value) {
      once(renewalWaitTimeout, "renewalWaitTimeout");
      renewalWaitTimeout = positive(value, "renewalWaitTimeout");
      return this;
    }

    /**
     * Checks the rules that span settings and builds the policy.
     *
     * @throws IllegalStateException if {@code minTokenTtl > renewalLead}, {@code
     *     renewalRetryMaxDelay < renewalRetryInitialDelay}, {@code renewalWaitTimeout >
     *     renewalLease}, or {@code idleTimeout >= maxLifetime}
     */
    public SessionPolicy build() {
      Duration lead = Objects.requireNonNullElse(renewalLead, DEFAULT_RENEWAL_LEAD);
      Duration ttl = Objects.requireNonNullElse(minTokenTtl, DEFAULT_MIN_TOKEN_TTL);
      if (ttl.compareTo(lead) > 0) {
        throw new IllegalStateException(
            "minTokenTtl must be at most renewalLead (" + lead + "), but was " + ttl);
      }
      Duration initial =
          Objects.requireNonNullElse(renewalRetryInitialDelay, DEFAULT_RETRY_INITIAL_DELAY);
      Duration max = Objects.requireNonNullElse(renewalRetryMaxDelay, DEFAULT_RETRY_MAX_DELAY);
      if (max.compareTo(initial) < 0) {
        throw new IllegalStateException(
            "renewalRetryMaxDelay must be at least renewalRetryInitialDelay ("
                + initial
                + "), but was "
                + max);
      }
      Duration lease = Objects.requireNonNullElse(renewalLease, DEFAULT_RENEWAL_LEASE);
      Duration wait = Objects.requireNonNullElse(renewalWaitTimeout, DEFAULT_RENEWAL_WAIT_TIMEOUT);
      if (wait.compareTo(lease) > 0) {
        throw new IllegalStateException(
            "renewalWaitTimeout must be at most renewalLease (" + lease + "), but was " + wait);
      }
      if (idleTimeout != null && maxLifetime != null && idleTimeout.compareTo(maxLifetime) >= 0) {
        throw new IllegalStateException(
            "idleTimeout must be shorter than maxLifetime ("
                + maxLifetime
                + "), but was "
                + idleTimeout);
      }
      return new SessionPolicy(this);
    }
  }
}
