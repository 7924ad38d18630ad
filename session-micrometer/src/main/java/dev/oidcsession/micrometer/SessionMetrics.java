package dev.oidcsession.micrometer;

import dev.oidcsession.core.EndReason;
import dev.oidcsession.core.EndedSession;
import dev.oidcsession.core.InMemorySessionStore;
import dev.oidcsession.core.Session;
import dev.oidcsession.core.SessionListener;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.core.TokenRenewalException;
import dev.oidcsession.core.TokenRenewer;
import dev.oidcsession.core.TokenSet;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;

/**
 * Micrometer meters for oidc-session sessions: a {@link SessionListener} that counts what happens
 * and a {@link MeterBinder} that registers the meters. Usable without Spring: bind it to a
 * registry and give it to {@code SessionManager.Builder.listener(..)} (or to the filter's
 * configuration).
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>counts</th></tr>
 *   <tr><td>{@code oidc.session.created}</td><td>counter</td><td>none</td><td>sessions created at
 *       login</td></tr>
 *   <tr><td>{@code oidc.session.ended}</td><td>counter</td><td>{@code reason}: {@code expired},
 *       {@code idle}, {@code logged_out}, {@code backchannel_logout}, {@code renewal_rejected},
 *       {@code stored_format_retired}</td>
 *       <td>sessions ended, by {@link EndReason}; a session that simply expires in the store ends
       without an event (see {@link SessionListener}), so {@code expired} counts only expiries a
       request observed</td></tr>
 *   <tr><td>{@code oidc.session.renewals}</td><td>counter</td><td>{@code outcome}: {@code
 *       success}, {@code transient_failure}, {@code rejected}</td><td>renewal attempts as the
 *       session manager saw them</td></tr>
 *   <tr><td>{@code oidc.session.renewal}</td><td>timer</td><td>{@code outcome}, as above</td>
 *       <td>time spent in the token renewal (the refresh-token grant), recorded by renewers
 *       wrapped with {@link #timed(TokenRenewer)} or by an HTTP client with {@link
 *       #httpInterceptor()}</td></tr>
 *   <tr><td>{@code oidc.session.active}</td><td>gauge</td><td>none</td><td>sessions held by the
 *       store, only where the store counts in constant time ({@link InMemorySessionStore}; entries
 *       past their expiry but not yet swept count until swept). Redis has no cheap count and gets
 *       no gauge.</td></tr>
 * </table>
 *
 * <p>No meter is ever tagged with a subject, a {@code sid}, an issuer, a session key or an
 * address: every tag takes a value from a small fixed set, so cardinality is bounded.
 *
 * <p>Thread-safe: events may arrive from any thread, and binding to a further registry while
 * events arrive is safe. Every event method returns quickly and never throws for a registry it
 * has been bound to.
 */
public final class SessionMetrics implements SessionListener, MeterBinder {

  /** Counter of sessions created. */
  public static final String CREATED = "oidc.session.created";
  /** Counter of sessions ended, tagged {@code reason}. */
  public static final String ENDED = "oidc.session.ended";
  /** Counter of renewal attempts, tagged {@code outcome}. */
  public static final String RENEWALS = "oidc.session.renewals";
  /** Timer of token renewals, tagged {@code outcome}. */
  public static final String RENEWAL = "oidc.session.renewal";
  /** Gauge of sessions held by an in-memory store. */
  public static final String ACTIVE = "oidc.session.active";

  /** {@code outcome} of a renewal that stored fresh tokens. */
  public static final String OUTCOME_SUCCESS = "success";
  /** {@code outcome} of a renewal that failed in a way worth retrying (network, 5xx, 429). */
  public static final String OUTCOME_TRANSIENT_FAILURE = "transient_failure";
  /** {@code outcome} of a renewal the provider refused for good ({@code invalid_grant}, ...). */
  public static final String OUTCOME_REJECTED = "rejected";

  private final SessionStore store;
  private final Clock clock;
  private final List<Meters> bound = new CopyOnWriteArrayList<>();

  private SessionMetrics(Builder b) {
    this.store = b.store;
    this.clock = b.clock != null ? b.clock : Clock.SYSTEM;
  }

  /** Metrics without an {@code oidc.session.active} gauge. */
  public static SessionMetrics create() {
    return builder().build();
  }

  /** A builder; every setting is optional and may be given once. */
  public static Builder builder() {
    return new Builder();
  }

  /** Registers every meter with {@code registry}; events from now on are counted there as well. */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    bound.add(new Meters(registry));
    if (store instanceof InMemorySessionStore memory) {
      Gauge.builder(ACTIVE, memory, InMemorySessionStore::size)
          .description("Sessions held by the in-memory store")
          .strongReference(false)
          .register(registry);
    }
  }

  /**
   * Wraps {@code renewer} so that each renewal is recorded in the {@code oidc.session.renewal}
   * timer of every bound registry, tagged with its outcome. The wrapper behaves exactly like
   * {@code renewer}: same result, same exception.
   */
  public TokenRenewer timed(TokenRenewer renewer) {
    Objects.requireNonNull(renewer, "renewer");
    return new TokenRenewer() {
      @Override
      public TokenSet renew(TokenSet current) throws TokenRenewalException {
        long start = clock.monotonicTime();
        String outcome = OUTCOME_TRANSIENT_FAILURE; // a RuntimeException is treated as transient
        try {
          TokenSet fresh = renewer.renew(current);
          outcome = OUTCOME_SUCCESS;
          return fresh;
        } catch (TokenRenewalException e) {
          outcome = e.isTransient() ? OUTCOME_TRANSIENT_FAILURE : OUTCOME_REJECTED;
          throw e;
        } finally {
          long nanos = clock.monotonicTime() - start;
          for (Meters m : bound) {
            m.renewalTimer(outcome).record(nanos, TimeUnit.NANOSECONDS);
          }
        }
      }

      @Override
      public String toString() {
        return "timed(" + renewer + ")";
      }
    };
  }

  /**
   * An OkHttp interceptor that records each refresh-token grant (a form POST with {@code
   * grant_type=refresh_token}, RFC 6749 §6) in the {@code oidc.session.renewal} timer of every
   * bound registry, for clients whose renewer cannot be wrapped with {@link #timed} (the servlet
   * filter, the Spring Boot starter: add it to the HTTP client given to the filter). Outcome: a 2xx
   * answer is {@code success}, another 4xx than 429 is {@code rejected}, anything else (5xx, 429,
   * an I/O error) is {@code transient_failure}. Other requests pass untouched and unmeasured.
   * Reads the request body only to find the grant type; never logs it.
   */
  public Interceptor httpInterceptor() {
    return chain -> {
      Request request = chain.request();
      if (!isRefreshGrant(request)) {
        return chain.proceed(request);
      }
      long start = clock.monotonicTime();
      String outcome = OUTCOME_TRANSIENT_FAILURE;
      try {
        Response response = chain.proceed(request);
        int code = response.code();
        if (code >= 200 && code < 300) {
          outcome = OUTCOME_SUCCESS;
        } else if (code >= 400 && code < 500 && code != 429) {
          outcome = OUTCOME_REJECTED;
        }
        return response;
      } finally {
        long nanos = clock.monotonicTime() - start;
        for (Meters m : bound) {
          m.renewalTimer(outcome).record(nanos, TimeUnit.NANOSECONDS);
        }
      }
    };
  }

  private static boolean isRefreshGrant(Request request) {
    RequestBody body = request.body();
    if (!"POST".equals(request.method()) || body == null || body.isOneShot()) {
      return false;
    }
    MediaType type = body.contentType();
    if (type == null || !"x-www-form-urlencoded".equals(type.subtype())) {
      return false;
    }
    try (Buffer buffer = new Buffer()) {
      body.writeTo(buffer);
      for (String pair : buffer.readUtf8().split("&")) {
        if (pair.equals("grant_type=refresh_token")) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void created(Session session) {
    for (Meters m : bound) {
      m.created.increment();
    }
  }

  @Override
  public void renewed(Session previous, Session renewed) {
    for (Meters m : bound) {
      m.renewals(OUTCOME_SUCCESS).increment();
    }
  }

  @Override
  public void renewalFailed(Session session, TokenRenewalException failure, boolean willRetry) {
    String outcome = failure.isTransient() ? OUTCOME_TRANSIENT_FAILURE : OUTCOME_REJECTED;
    for (Meters m : bound) {
      m.renewals(outcome).increment();
    }
  }

  @Override
  public void ended(EndedSession ended) {
    for (Meters m : bound) {
      m.ended[ended.reason().ordinal()].increment();
    }
  }

  @Override
  public String toString() {
    return "SessionMetrics[registries=" + bound.size()
        + ", activeGauge=" + (store instanceof InMemorySessionStore) + "]";
  }

  /** The tag value of an end reason: its name in lower case, e.g. {@code backchannel_logout}. */
  static String tagValue(EndReason reason) {
    return reason.name().toLowerCase(Locale.ROOT);
  }

  /** The meters of one registry, registered once at bind time so that zeros are visible. */
  private static final class Meters {
    final Counter created;
    final Counter[] ended = new Counter[EndReason.values().length];
    final Counter renewalsSuccess;
    final Counter renewalsTransient;
    final Counter renewalsRejected;
    final Timer timerSuccess;
    final Timer timerTransient;
    final Timer timerRejected;

    Meters(MeterRegistry registry) {
      created = Counter.builder(CREATED).description("Sessions created at login").register(registry);
      for (EndReason reason : EndReason.values()) {
        ended[reason.ordinal()] = Counter.builder(ENDED)
            .description("Sessions ended, by reason")
            .tag("reason", tagValue(reason))
            .register(registry);
      }
      renewalsSuccess = renewals(registry, OUTCOME_SUCCESS);
      renewalsTransient = renewals(registry, OUTCOME_TRANSIENT_FAILURE);
      renewalsRejected = renewals(registry, OUTCOME_REJECTED);
      timerSuccess = timer(registry, OUTCOME_SUCCESS);
      timerTransient = timer(registry, OUTCOME_TRANSIENT_FAILURE);
      timerRejected = timer(registry, OUTCOME_REJECTED);
    }

    private static Counter renewals(MeterRegistry registry, String outcome) {
      return Counter.builder(RENEWALS)
          .description("Token renewal attempts, by outcome")
          .tag("outcome", outcome)
          .register(registry);
    }

    private static Timer timer(MeterRegistry registry, String outcome) {
      return Timer.builder(RENEWAL)
          .description("Time spent renewing tokens at the provider, by outcome")
          .tag("outcome", outcome)
          .register(registry);
    }

    Counter renewals(String outcome) {
      return switch (outcome) {
        case OUTCOME_SUCCESS -> renewalsSuccess;
        case OUTCOME_REJECTED -> renewalsRejected;
        default -> renewalsTransient;
      };
    }

    Timer renewalTimer(String outcome) {
      return switch (outcome) {
        case OUTCOME_SUCCESS -> timerSuccess;
        case OUTCOME_REJECTED -> timerRejected;
        default -> timerTransient;
      };
    }
  }

  /** Builds {@link SessionMetrics}. Not thread-safe; {@link #build()} is pure. */
  public static final class Builder {
    private SessionStore store;
    private Clock clock;

    private Builder() {}

    /**
     * The store whose size {@code oidc.session.active} reports, if it can count in constant time
     * (today: {@link InMemorySessionStore}); any other store is accepted and gets no gauge.
     */
    public Builder store(SessionStore value) {
      Objects.requireNonNull(value, "store");
      if (store != null) {
        throw new IllegalStateException("store was already set to " + store);
      }
      store = value;
      return this;
    }

    /** The clock that measures renewal durations (its monotonic time); default the system's. */
    public Builder clock(Clock value) {
      Objects.requireNonNull(value, "clock");
      if (clock != null) {
        throw new IllegalStateException("clock was already set to " + clock);
      }
      clock = value;
      return this;
    }

    /** Returns new metrics; bind them to a registry before use. */
    public SessionMetrics build() {
      return new SessionMetrics(this);
    }
  }
}
