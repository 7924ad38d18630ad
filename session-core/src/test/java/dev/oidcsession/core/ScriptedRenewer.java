package dev.oidcsession.core;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link TokenRenewer} double: by default returns fresh tokens for the same subject (access
 * token 1 h, ID token 1 day, rotated refresh token) relative to the clock; a test swaps the
 * behaviour. Counts calls.
 */
final class ScriptedRenewer implements TokenRenewer {

  interface Behaviour {
    TokenSet renew(TokenSet current) throws TokenRenewalException;
  }

  final AtomicInteger calls = new AtomicInteger();
  private final Clock clock;
  volatile Behaviour behaviour;

  ScriptedRenewer(Clock clock) {
    this.clock = clock;
    this.behaviour = this::fresh;
  }

  TokenSet fresh(TokenSet current) {
    return fresh(current, current.subject());
  }

  TokenSet fresh(TokenSet current, String subject) {
    return TestTokens.tokens(subject, clock.instant(), Duration.ofHours(1), Duration.ofDays(1));
  }

  @Override
  public TokenSet renew(TokenSet current) throws TokenRenewalException {
    calls.incrementAndGet();
    return behaviour.renew(current);
  }
}
