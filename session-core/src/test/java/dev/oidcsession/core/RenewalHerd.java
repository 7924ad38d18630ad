package dev.oidcsession.core;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import dev.oidcsession.core.oidc.FakeProvider;
import dev.oidcsession.core.oidc.OidcClient;
import dev.oidcsession.core.oidc.OidcClientConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The renewal herd, measured where the grants arrive: {@code sessions} sessions are born in one
 * second, spread over {@code nodes} {@link SessionManager}s that share one store (each with its own
 * random generator), and every session is then used by a browser tab while a {@link ManualClock}
 * moves on, second by second, over {@link #HORIZON}: more than two renewal intervals. Renewals run
 * inline (a direct executor), so each refresh-token grant arrives while the clock stands at the
 * request that started it. {@link #overHttp} sends the grants to a {@link FakeProvider}'s token
 * endpoint through a real {@code OidcClient} per node and counts what the provider receives per
 * simulated second; {@link #inProcess()} counts the calls of an in-process {@link TokenRenewer}
 * instead (the same manager path, without HTTP: fast enough for many seeds).
 *
 * <p>How a tab uses its session is the {@link Tab} model. Every tab makes one request per minute
 * at a random moment of the minute (its own phase); a load balancer sends each request to a node
 * at random. The peak is the busiest second of the whole run; the mean is what a perfect spread
 * gives: {@code sessions} over the jitter window {@code 2 · jitter · interval + 1} seconds (as
 * {@code RenewalSpreadTest} computes it from the schedule alone).
 */
public final class RenewalHerd {

  /** How a browser tab asks the server. */
  public enum Tab {
    /** One request per minute at the tab's random moment; nothing else. */
    PERIODIC(true),
    /**
     * As {@link #PERIODIC}, and a helper that asks {@code /oidc/session} (which renews when due)
     * exactly at the {@code renewAt} it last read.
     */
    ASKS_AT_RENEW_AT(true),
    /**
     * A tab left open in the background: only the helper of {@link #ASKS_AT_RENEW_AT} asks. The
     * grants are the same as with it (a periodic request before {@code renewAt} renews nothing),
     * at a tenth of the requests.
     */
    HELPER_ONLY(false),
    /**
     * As {@link #PERIODIC}, and the shipped {@code session.js} timing: it reads the whole seconds
     * {@code renewIn} and asks {@code renewIn + 0.5 s + U[0, 5 s)} later (at least 10 s), or 30 s
     * + U[0, 5 s) later while the renewal is pending.
     */
    SESSION_JS(true);

    private final boolean periodic;

    Tab(boolean periodic) {
      this.periodic = periodic;
    }
  }

  /**
   * What one run measured.
   *
   * @param perSecond refresh grants per simulated second from the births on
   * @param refreshes all refresh grants of the run
   * @param mean the mean rate of a perfect spread, grants per second
   */
  public record Result(int nodes, long seed, Tab tab, int[] perSecond, int refreshes, double mean) {

    /** The busiest second's grants. */
    public int peak() {
      return Arrays.stream(perSecond).max().orElse(0);
    }

    /** The busiest second over the mean. */
    public double peakToMean() {
      return peak() / mean;
    }

    /** The second (counted from the births) of the first busiest one. */
    public int peakSecond() {
      int at = 0;
      for (int s = 1; s < perSecond.length; s++) {
        if (perSecond[s] > perSecond[at]) {
          at = s;
        }
      }
      return at;
    }
  }

  /** How long a run follows the sessions: each renews exactly twice in it with the defaults. */
  public static final Duration HORIZON = Duration.ofMinutes(35);
  private static final long SECOND_NANOS = 1_000_000_000L;
  private static final long MINUTE_NANOS = 60 * SECOND_NANOS;

  private final FakeProvider provider;
  private final AtomicInteger grants = new AtomicInteger();

  private RenewalHerd(FakeProvider provider) {
    this.provider = provider;
  }

  /** Counts the calls of an in-process renewer that answers every grant. */
  public static RenewalHerd inProcess() {
    return new RenewalHerd(null);
  }

  /**
   * Scripts {@code provider}'s token endpoint to answer every refresh grant, and counts the grants
   * it receives.
   */
  public static RenewalHerd overHttp(FakeProvider provider) {
    RenewalHerd herd = new RenewalHerd(provider);
    herd.listen();
    return herd;
  }

  private void listen() {
    // An opaque access token: its expiry is expires_in counted on the injected clock, so every
    // renewal gives an hour from the simulated moment it happened.
    provider.server.stubFor(post(urlPathEqualTo("/token"))
        .withRequestBody(containing("grant_type=refresh_token"))
        .willReturn(okJson("{\"access_token\":\"herd-access-token\",\"token_type\":\"Bearer\","
            + "\"expires_in\":3600,\"refresh_token\":\"herd-refresh-token\"}")));
    provider.server.addMockServiceRequestListener((request, response) -> {
      if (request.getUrl().startsWith("/token")
          && request.getBodyAsString().contains("grant_type=refresh_token")) {
        grants.incrementAndGet();
      }
    });
  }

  /** One run; not thread-safe (one run at a time per instance). */
  public Result run(int sessions, int nodes, long seed, Tab tab) {
    SplittableRandom random = new SplittableRandom(seed);
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    ManualClock clock = new ManualClock(start);
    TestScheduler inline = new TestScheduler(TestScheduler.Mode.DIRECT, clock);
    InMemorySessionStore store = new InMemorySessionStore(clock);
    SessionPolicy policy = SessionPolicy.defaults();
    List<OidcClient> clients = new ArrayList<>();
    SessionManager[] managers = new SessionManager[nodes];
    for (int n = 0; n < nodes; n++) {
      TokenRenewer renewer;
      if (provider != null) {
        OidcClient client = OidcClient.create(OidcClientConfig.builder()
            .issuer(provider.issuer())
            .clientId(FakeProvider.CLIENT_ID)
            .redirectUri(FakeProvider.REDIRECT_URI)
            .clientSecretBasic(FakeProvider.CLIENT_SECRET)
            .clock(clock)
            .build());
        clients.add(client);
        renewer = client;
      } else {
        renewer = current -> {
          grants.incrementAndGet();
          return new TokenSet(TokenSecret.of("herd-access-token"),
              Optional.of(clock.instant().plus(Duration.ofHours(1))), current.idToken(),
              Optional.of(TokenSecret.of("herd-refresh-token")), current.scope());
        };
      }
      managers[n] = SessionManager.builder()
          .store(store)
          .renewer(renewer)
          .policy(policy)
          .clock(clock)
          .random(random.split())
          .executor(inline)
          .decodedCacheSize(2 * sessions) // keeps the run fast; the provider sees the same calls
          .build();
    }
    try {
      return measure(sessions, nodes, seed, tab, random, clock, start, policy, managers);
    } finally {
      for (SessionManager manager : managers) {
        manager.close();
      }
      for (OidcClient client : clients) {
        client.close();
      }
    }
  }

  private Result measure(int sessions, int nodes, long seed, Tab tab, SplittableRandom random,
      ManualClock clock, Instant start, SessionPolicy policy, SessionManager[] managers) {
    long startNanos = start.getEpochSecond() * SECOND_NANOS;
    // Births: random instants of the first second, in order; a random node for each login.
    long[] births = random.split().longs(sessions, 0, SECOND_NANOS).sorted().toArray();
    String[] cookies = new String[sessions];
    for (int i = 0; i < sessions; i++) {
      clock.set(start.plusNanos(births[i]));
      TokenSet tokens = TokenSet.fromTokenResponse(TestTokens.opaqueAccessToken(),
          Duration.ofHours(1),
          TestTokens.idToken("user-" + i, "sid-" + i, clock.instant(), start.plus(Duration.ofDays(1))),
          TestTokens.refreshToken(), "openid", clock.instant());
      cookies[i] = managers[random.nextInt(nodes)].create(tokens).handle().cookieValue();
    }
    // Each tab's moment of the minute; the tab's own helper asks at nextAsk (Long.MAX_VALUE: not).
    long[] phase = random.split().longs(sessions, 0, MINUTE_NANOS).toArray();
    Integer[] byPhase = new Integer[sessions];
    Arrays.setAll(byPhase, i -> i);
    Arrays.sort(byPhase, (a, b) -> Long.compare(phase[a], phase[b]));
    long[] nextAsk = new long[sessions];
    Arrays.fill(nextAsk, Long.MAX_VALUE);
    PriorityQueue<long[]> asks = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    SplittableRandom skew = random.split();
    SplittableRandom balancer = random.split();
    for (int i = 0; i < sessions; i++) { // the landing page after login loads the helper
      long bornAt = startNanos + births[i];
      schedule(tab, i, bornAt, managers[0], cookies[i], nextAsk, asks, skew, false);
    }

    int seconds = (int) HORIZON.toSeconds();
    int[] perSecond = new int[seconds];
    int cursor = 0; // into byPhase, for this minute
    int base = grants.get();
    for (int s = 1; s < seconds; s++) {
      long secondStart = startNanos + s * SECOND_NANOS;
      long secondEnd = secondStart + SECOND_NANOS;
      long minuteStart = startNanos + (s / 60) * MINUTE_NANOS;
      if (s % 60 == 0) {
        cursor = 0;
      }
      // Periodic requests and helper asks of this second, in time order.
      while (true) {
        long periodic = tab.periodic && cursor < sessions ? minuteStart + phase[byPhase[cursor]] : Long.MAX_VALUE;
        long ask = asks.isEmpty() ? Long.MAX_VALUE : asks.peek()[0];
        long next = Math.min(periodic, ask);
        if (next >= secondEnd) {
          break;
        }
        boolean isAsk = ask <= periodic;
        int i = isAsk ? (int) asks.poll()[1] : byPhase[cursor++];
        if (isAsk && nextAsk[i] != ask) {
          continue; // superseded by a later answer
        }
        if (next < secondStart) {
          next = secondStart; // a periodic request of the birth second: the clock is past it
        }
        clock.set(Instant.ofEpochSecond(0, next));
        SessionManager node = managers[balancer.nextInt(nodes)];
        if (isAsk) {
          nextAsk[i] = Long.MAX_VALUE;
          schedule(tab, i, next, node, cookies[i], nextAsk, asks, skew, true);
        } else {
          node.resolve(cookies[i]).orElseThrow(() -> new AssertionError("a session ended"));
        }
      }
      int now = grants.get();
      perSecond[s] = now - base;
      base = now;
    }
    int refreshes = Arrays.stream(perSecond).sum();
    double window = Math.ceil(policy.renewalInterval().toSeconds() * 2 * policy.renewalJitter()) + 1;
    return new Result(nodes, seed, tab, perSecond, refreshes, sessions / window);
  }

  /**
   * The tab's helper reads {@code /oidc/session} at {@code at} (renewing when due if {@code
   * renew}) and sets its next ask from the answer.
   */
  private static void schedule(Tab tab, int i, long at, SessionManager node, String cookie,
      long[] nextAsk, PriorityQueue<long[]> asks, SplittableRandom skew, boolean renew) {
    if (tab == Tab.PERIODIC) {
      return;
    }
    Session session = (renew ? node.resolveAndRenew(cookie) : node.resolve(cookie))
        .orElseThrow(() -> new AssertionError("a session ended"));
    long renewAt = session.renewAt().getEpochSecond() * SECOND_NANOS + session.renewAt().getNano();
    long next;
    if (tab == Tab.ASKS_AT_RENEW_AT || tab == Tab.HELPER_ONLY) {
      next = Math.max(renewAt, at + 1);
    } else {
      long renewIn = Math.max(0, (renewAt - at) / SECOND_NANOS); // whole seconds, as served
      long delay = renewIn > 0
          ? renewIn * SECOND_NANOS + 500_000_000L + skew.nextLong(5 * SECOND_NANOS)
          : 30 * SECOND_NANOS + skew.nextLong(5 * SECOND_NANOS);
      next = at + Math.max(10 * SECOND_NANOS, delay);
    }
    nextAsk[i] = next;
    asks.add(new long[] {next, i});
  }
}
