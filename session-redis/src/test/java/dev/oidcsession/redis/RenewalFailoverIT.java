package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oidcsession.core.CreatedSession;
import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.IndexKey;
import dev.oidcsession.core.Lease;
import dev.oidcsession.core.ManualClock;
import dev.oidcsession.core.ReplaceResult;
import dev.oidcsession.core.Session;
import dev.oidcsession.core.SessionManager;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.StoredEntry;
import dev.oidcsession.core.TestScheduler;
import dev.oidcsession.core.TestTokens;
import dev.oidcsession.core.TokenRenewalException;
import dev.oidcsession.core.TokenSecret;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;

/**
 * Issue 14 item 1 with real Redis: a renewal whose write the frozen replica never received, then
 * the primary killed and the replica promoted. The renewing node writes its renewed tokens again,
 * so the rotated-out refresh token is never presented and nobody is logged out.
 */
class RenewalFailoverIT {

  @RegisterExtension static final RedisTopology redis = RedisTopology.primaryWithReplica();

  final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final Set<TokenSecret> spent = ConcurrentHashMap.newKeySet();
  final AtomicInteger calls = new AtomicInteger();
  final AtomicInteger reuses = new AtomicInteger();

  @ExpectsWarnings("the replica is paused, then the primary killed")
  @Test
  void renewalUnacknowledged_primaryKilledReplicaPromoted_renewedTokensWrittenAgain() {
    RedisSessionStore onPrimary = redis.closeAfterAll(RedisSessionStore.builder(
        redis.config().build()).clock(clock).replicaWait(Duration.ofMillis(50)).build());
    RedisSessionStore onReplica = redis.closeAfterAll(RedisSessionStore.builder(
        RedisConfig.fromUrl("redis://127.0.0.1:" + redis.replica().port)).clock(clock).build());
    Switching store = new Switching(onPrimary);
    SessionManager manager = SessionManager.builder().store(store).clock(clock)
        .executor(new TestScheduler(TestScheduler.Mode.DIRECT, clock))
        .renewer(current -> {
          calls.incrementAndGet();
          if (!spent.add(current.refreshToken().orElseThrow())) {
            reuses.incrementAndGet();
            throw TokenRenewalException.terminal("invalid_grant: refresh token used twice");
          }
          return TestTokens.tokens("alice", clock.instant(), Duration.ofHours(1),
              Duration.ofDays(1));
        }).build();
    CreatedSession created = manager.create(
        TestTokens.tokens("alice", clock.instant(), Duration.ofHours(1), Duration.ofDays(1)));
    StoreKey key = created.session().key();
    String cookie = created.handle().cookieValue();
    await("the replica has the session").atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10)).until(() -> onReplica.find(key).isPresent());

    Session renewed;
    try (Jedis replica = redis.admin(redis.replica())) {
      replica.clientPause(10_000, ClientPauseMode.WRITE); // applies no more of the stream
      clock.set(created.session().renewAt());
      renewed = manager.resolve(cookie).orElseThrow();
      assertThat(renewed.version()).isEqualTo(2);
      assertThat(onPrimary.find(key).orElseThrow().version()).isEqualTo(2);
      // Promote the replica while it still has not applied version 2, then lose the primary.
      replica.replicaofNoOne();
      replica.clientUnpause();
    }
    redis.primary().kill();
    store.target = onReplica;
    assertThat(onReplica.find(key).orElseThrow().version()).as("the failover lost the write")
        .isEqualTo(1);

    clock.advance(Duration.ofSeconds(5));
    Session served = manager.resolve(cookie).orElseThrow();
    assertThat(served.tokens()).isEqualTo(renewed.tokens());
    assertThat(onReplica.find(key).orElseThrow().version()).isEqualTo(2);
    assertThat(calls).hasValue(1);
    assertThat(reuses).hasValue(0);

    clock.set(served.renewAt()); // the next renewal presents the rotated refresh token
    assertThat(manager.resolve(cookie).orElseThrow().version()).isEqualTo(3);
    assertThat(calls).hasValue(2);
    assertThat(reuses).hasValue(0);
  }

  /** The Redis the application talks to: the primary, then the promoted replica. */
  static final class Switching implements SessionStore {
    volatile SessionStore target;

    Switching(SessionStore first) {
      target = first;
    }

    @Override
    public Optional<StoredEntry> find(StoreKey key) {
      return target.find(key);
    }

    @Override
    public boolean insert(StoredEntry entry) {
      return target.insert(entry);
    }

    @Override
    public boolean replace(StoredEntry entry, long expectedVersion) {
      return target.replace(entry, expectedVersion);
    }

    @Override
    public ReplaceResult replaceConfirmed(StoredEntry entry, long expectedVersion) {
      return target.replaceConfirmed(entry, expectedVersion);
    }

    @Override
    public boolean delete(StoreKey key) {
      return target.delete(key);
    }

    @Override
    public Set<StoreKey> findKeys(IndexKey index) {
      return target.findKeys(index);
    }

    @Override
    public Optional<Lease> tryLease(StoreKey key, Duration ttl) {
      return target.tryLease(key, ttl);
    }

    @Override
    public boolean extendLease(Lease lease, Duration ttl) {
      return target.extendLease(lease, ttl);
    }

    @Override
    public void release(Lease lease) {
      target.release(lease);
    }
  }
}
