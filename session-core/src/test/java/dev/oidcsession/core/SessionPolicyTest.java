package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SessionPolicyTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final StoreKey KEY = new StoreKey("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");

  private static TokenSet tokens(Duration accessLife, Duration idLife) {
    return TestTokens.tokens("alice", T0, accessLife, idLife);
  }

  private static Session session(SessionPolicy policy, TokenSet tokens, double draw) {
    Instant expiresAt = policy.expiresAt(tokens, T0);
    Instant renewAt = policy.renewAt(T0, expiresAt, tokens.refreshToken().isPresent(), draw);
    return new Session(KEY, tokens, T0, T0, T0, expiresAt, renewAt, 1, Map.of());
  }

  @Nested
  class Expiry {

    private final SessionPolicy policy = SessionPolicy.defaults();

    @Test
    void expiresAt_accessTokenEarlier_isAccessTokenExpiry() {
      assertThat(policy.expiresAt(tokens(Duration.ofDays(1), Duration.ofDays(7)), T0))
          .isEqualTo(T0.plus(Duration.ofDays(1)));
    }

    @Test
    void expiresAt_idTokenEarlier_isIdTokenExpiry() {
      assertThat(policy.expiresAt(tokens(Duration.ofHours(2), Duration.ofHours(1)), T0))
          .isEqualTo(T0.plus(Duration.ofHours(1)));
    }

    @Test
    void expiresAt_maxLifetimeEarlier_isCreatedAtPlusMaxLifetime() {
      SessionPolicy capped = SessionPolicy.builder().maxLifetime(Duration.ofMinutes(30)).build();
      assertThat(capped.expiresAt(tokens(Duration.ofHours(2), Duration.ofHours(1)), T0))
          .isEqualTo(T0.plus(Duration.ofMinutes(30)));
    }

    @Test
    void expiresAt_opaqueAccessTokenWithExpiresIn_countsFromTheResponse() {
      TokenSet opaque =
          TokenSet.fromTokenResponse(
              TestTokens.opaqueAccessToken(),
              Duration.ofMinutes(10),
              TestTokens.idToken("alice", null, T0, T0.plus(Duration.ofHours(1))),
              TestTokens.refreshToken(),
              "openid",
              T0.plusSeconds(2));
      assertThat(opaque.accessTokenExpiresAt()).contains(T0.plusSeconds(2).plus(Duration.ofMinutes(10)));
      assertThat(policy.expiresAt(opaque, T0)).isEqualTo(T0.plusSeconds(602));
    }

    @Test
    void expiresAt_jwtAccessTokenExp_winsOverExpiresIn() {
      Instant exp = T0.plus(Duration.ofMinutes(5));
      assertThat(TokenSet.accessTokenExpiry(TestTokens.jwtAccessToken(exp, 0), Duration.ofHours(1), T0))
          .contains(exp);
    }

    @Test
    void expiresAt_accessTokenWithNoExpiry_isBoundedByTheIdToken() {
      TokenSet unknown =
          TokenSet.fromTokenResponse(
              TestTokens.opaqueAccessToken(),
              null,
              TestTokens.idToken("alice", null, T0, T0.plus(Duration.ofHours(1))),
              null,
              null,
              T0);
      assertThat(unknown.accessTokenExpiresAt()).isEmpty();
      assertThat(policy.expiresAt(unknown, T0)).isEqualTo(T0.plus(Duration.ofHours(1)));
    }

    @Test
    void expiresAt_tokenExpirySkew_movesTokenExpiriesEarlierButNotMaxLifetime() {
      SessionPolicy skewed =
          SessionPolicy.builder()
              .tokenExpirySkew(Duration.ofSeconds(30))
              .maxLifetime(Duration.ofHours(1))
              .build();
      assertThat(skewed.expiresAt(tokens(Duration.ofMinutes(10), Duration.ofHours(2)), T0))
          .isEqualTo(T0.plus(Duration.ofMinutes(10)).minusSeconds(30));
      assertThat(skewed.expiresAt(tokens(Duration.ofHours(5), Duration.ofHours(5)), T0))
          .isEqualTo(T0.plus(Duration.ofHours(1)));
    }
  }

  @Nested
  class RenewalTime {

    private final SessionPolicy policy = SessionPolicy.defaults();
    private final Instant dayLater = T0.plus(Duration.ofDays(1));

    @ParameterizedTest
    @CsvSource({"-1.0, 810", "0.0, 900", "1.0, 990", "0.5, 945"})
    void renewAt_longTokens_isIntervalTimesOnePlusU(double draw, long seconds) {
      assertThat(policy.renewAt(T0, dayLater, true, draw)).isEqualTo(T0.plusSeconds(seconds));
    }

    @Test
    void renewAt_jitterAtUpperBound_staysBeforeExpiryMinusLead() {
      Instant expiresAt = T0.plusSeconds(16 * 60);
      // interval*(1.1) = 990 s; L - lead = 960 - 60 = 900 s wins.
      assertThat(policy.renewAt(T0, expiresAt, true, 1.0)).isEqualTo(T0.plusSeconds(900));
    }

    @Test
    void renewAt_tokenShorterThanLead_isHalfTheLifetime() {
      // 60 s token, 60 s lead: L - lead = 0 would renew on every request; L/2 = 30 s.
      assertThat(policy.renewAt(T0, T0.plusSeconds(60), true, 0.0)).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    void renewAt_withoutRefreshToken_isExpiresAt() {
      assertThat(policy.renewAt(T0, dayLater, false, 0.0)).isEqualTo(dayLater);
    }

    @Test
    void renewAt_drawOutsideUnitInterval_isRejected() {
      assertThatThrownBy(() -> policy.renewAt(T0, dayLater, true, 1.5))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("jitterDraw must be in [-1, 1], but was 1.5");
    }
  }

  @Nested
  class Assess {

    private final SessionPolicy policy =
        SessionPolicy.builder().idleTimeout(Duration.ofMinutes(30)).build();

    @Test
    void endReason_endedStates_nameTheirReason_servingStatesHaveNone() {
      assertThat(SessionState.EXPIRED.endReason()).contains(EndReason.EXPIRED);
      assertThat(SessionState.IDLE.endReason()).contains(EndReason.IDLE);
      for (SessionState serving : new SessionState[] {
          SessionState.RENEW_AND_WAIT, SessionState.RENEW_IN_BACKGROUND, SessionState.VALID}) {
        assertThat(serving.endReason()).as("%s", serving).isEmpty();
        assertThat(serving.ended()).as("%s", serving).isFalse();
      }
    }
    // Access token 1 h, ID token 1 day: expiresAt = T0 + 1 h, renewAt = T0 + 15 min (draw 0).
    private final Session session = session(policy, tokens(Duration.ofHours(1), Duration.ofDays(1)), 0.0);

    @Test
    void assess_boundaryTriple_renewAt() {
      Instant renewAt = T0.plus(Duration.ofMinutes(15));
      assertThat(session.renewAt()).isEqualTo(renewAt);
      assertThat(policy.assess(session, renewAt.minusMillis(1))).isEqualTo(SessionState.VALID);
      assertThat(policy.assess(session, renewAt)).isEqualTo(SessionState.RENEW_IN_BACKGROUND);
      assertThat(policy.assess(session, renewAt.plusMillis(1))).isEqualTo(SessionState.RENEW_IN_BACKGROUND);
    }

    @Test
    void assess_boundaryTriple_expiresAt() {
      Session active = withLastSeen(session, session.expiresAt().minus(Duration.ofMinutes(1)));
      Instant expiresAt = T0.plus(Duration.ofHours(1));
      assertThat(policy.assess(active, expiresAt.minusMillis(1)))
          .isEqualTo(SessionState.RENEW_AND_WAIT);
      assertThat(policy.assess(active, expiresAt)).isEqualTo(SessionState.EXPIRED);
      assertThat(policy.assess(active, expiresAt.plusMillis(1))).isEqualTo(SessionState.EXPIRED);
    }

    @Test
    void assess_boundaryTriple_minTokenTtl() {
      Session active = withLastSeen(session, session.expiresAt().minus(Duration.ofMinutes(1)));
      Instant limit = session.accessTokenExpiresAt().minus(SessionPolicy.DEFAULT_MIN_TOKEN_TTL);
      assertThat(policy.assess(active, limit.minusMillis(1))).isEqualTo(SessionState.RENEW_IN_BACKGROUND);
      assertThat(policy.assess(active, limit)).isEqualTo(SessionState.RENEW_IN_BACKGROUND);
      assertThat(policy.assess(active, limit.plusMillis(1)))
          .isEqualTo(SessionState.RENEW_AND_WAIT);
    }

    @Test
    void assess_boundaryTriple_idleTimeout() {
      Instant idleAt = T0.plus(Duration.ofMinutes(30));
      assertThat(policy.assess(session, idleAt.minusMillis(1))).isEqualTo(SessionState.RENEW_IN_BACKGROUND);
      assertThat(policy.assess(session, idleAt)).isEqualTo(SessionState.IDLE);
      assertThat(policy.assess(session, idleAt.plusMillis(1))).isEqualTo(SessionState.IDLE);
    }

    @Test
    void assess_withoutRefreshToken_isValidUntilExpiry() {
      TokenSet noRefresh =
          TestTokens.tokensWithoutRefresh("bob", T0, Duration.ofHours(1), Duration.ofDays(1));
      Session plain = session(SessionPolicy.defaults(), noRefresh, 0.0);
      assertThat(plain.renewAt()).isEqualTo(plain.expiresAt());
      assertThat(SessionPolicy.defaults().assess(plain, plain.expiresAt().minusMillis(1)))
          .isEqualTo(SessionState.VALID);
    }

    @Test
    void shouldMarkSeen_boundaryTriple_aTenthOfTheIdleTimeout() {
      Instant mark = T0.plus(Duration.ofMinutes(3));
      assertThat(policy.shouldMarkSeen(session, mark.minusMillis(1))).isFalse();
      assertThat(policy.shouldMarkSeen(session, mark)).isTrue();
      assertThat(policy.shouldMarkSeen(session, mark.plusMillis(1))).isTrue();
      assertThat(SessionPolicy.defaults().shouldMarkSeen(session, mark)).isFalse();
    }

    @Test
    void storeExpiry_isTheEarlierOfExpiryAndIdleDeadline() {
      assertThat(policy.storeExpiry(session)).isEqualTo(T0.plus(Duration.ofMinutes(30)));
      assertThat(SessionPolicy.defaults().storeExpiry(session)).isEqualTo(session.expiresAt());
    }

    private Session withLastSeen(Session s, Instant lastSeen) {
      return new Session(s.key(), s.tokens(), s.createdAt(), s.renewedAt(), lastSeen,
          s.expiresAt(), s.renewAt(), s.version(), s.attributes());
    }
  }

  @Nested
  class Builder {

    @Test
    void renewalJitter_bothSidesOfEachBound() {
      assertThat(SessionPolicy.builder().renewalJitter(0.0).build().renewalJitter()).isZero();
      assertThat(SessionPolicy.builder().renewalJitter(0.999).build().renewalJitter())
          .isEqualTo(0.999);
      assertThatThrownBy(() -> SessionPolicy.builder().renewalJitter(-0.01))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("renewalJitter must be at least 0.0 and less than 1.0, but was -0.01");
      assertThatThrownBy(() -> SessionPolicy.builder().renewalJitter(1.0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("renewalJitter must be at least 0.0 and less than 1.0, but was 1.0");
      assertThatThrownBy(() -> SessionPolicy.builder().renewalJitter(Double.NaN))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void durations_zeroAndNegative_areRejectedWithTheSettingsName() {
      assertThatThrownBy(() -> SessionPolicy.builder().renewalInterval(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("renewalInterval must be positive, but was PT0S");
      assertThatThrownBy(() -> SessionPolicy.builder().renewalLead(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("renewalLead must be zero or positive, but was PT-1S");
      assertThat(SessionPolicy.builder().renewalLead(Duration.ZERO).minTokenTtl(Duration.ZERO)
          .build().renewalLead()).isZero();
    }

    @Test
    void tokenExpirySkew_bothSidesOfTheMaximum() {
      assertThat(SessionPolicy.builder().tokenExpirySkew(Duration.ofMinutes(5)).build().tokenExpirySkew())
          .isEqualTo(Duration.ofMinutes(5));
      assertThatThrownBy(() -> SessionPolicy.builder().tokenExpirySkew(Duration.ofSeconds(301)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("tokenExpirySkew must be at most PT5M, but was PT5M1S");
    }

    @Test
    void settingTwice_isIllegalState() {
      SessionPolicy.Builder builder = SessionPolicy.builder().renewalInterval(Duration.ofMinutes(5));
      assertThatThrownBy(() -> builder.renewalInterval(Duration.ofMinutes(6)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("renewalInterval was already set to PT5M");
    }

    @Test
    void build_minTokenTtlAboveLead_isIllegalState() {
      assertThatThrownBy(
              () -> SessionPolicy.builder().renewalLead(Duration.ofSeconds(10))
                  .minTokenTtl(Duration.ofSeconds(11)).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("minTokenTtl must be at most renewalLead (PT10S), but was PT11S");
      assertThat(SessionPolicy.builder().renewalLead(Duration.ofSeconds(10))
          .minTokenTtl(Duration.ofSeconds(10)).build().minTokenTtl())
          .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void build_otherCrossRules() {
      assertThatThrownBy(
              () -> SessionPolicy.builder().renewalRetryInitialDelay(Duration.ofSeconds(10))
                  .renewalRetryMaxDelay(Duration.ofSeconds(9)).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("renewalRetryMaxDelay must be at least renewalRetryInitialDelay (PT10S),"
              + " but was PT9S");
      assertThatThrownBy(
              () -> SessionPolicy.builder().renewalWaitTimeout(Duration.ofSeconds(61)).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("renewalWaitTimeout must be at most renewalLease (PT1M), but was PT1M1S");
      assertThatThrownBy(
              () -> SessionPolicy.builder().idleTimeout(Duration.ofHours(1))
                  .maxLifetime(Duration.ofHours(1)).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("idleTimeout must be shorter than maxLifetime (PT1H), but was PT1H");
    }

    @Test
    void build_leavesTheBuilderUntouchedAndCanBeCalledTwice() {
      SessionPolicy.Builder builder = SessionPolicy.builder().renewalJitter(0.2);
      SessionPolicy first = builder.build();
      SessionPolicy second = builder.build();
      assertThat(first.toString()).isEqualTo(second.toString());
      assertThat(first.maxLifetime()).isEqualTo(Optional.empty());
      // Defaults were not written back: each can still be set once.
      builder.renewalInterval(Duration.ofMinutes(1));
    }
  }
}
