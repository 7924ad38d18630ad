package dev.oidcsession.core;

import dev.oidcsession.core.RenewalOutcome.Kept;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The renewals running in this JVM, at most one per session: requests join the running one
 * (single flight within the JVM; across servers the {@link Renewal} takes the store's lease).
 * Thread-safe.
 */
final class Renewals {

  private static final Logger log = LoggerFactory.getLogger(Renewals.class);

  /** Every this many renewals started, given-up and lost renewals are swept from memory. */
  static final int SWEEP_EVERY = 256;

  private final Renewal.Context context;
  private final Duration waitTimeout;
  private final ConcurrentHashMap<StoreKey, Renewal> registry = new ConcurrentHashMap<>();
  private final AtomicInteger started = new AtomicInteger();

  Renewals(Renewal.Context context) {
    this.context = context;
    this.waitTimeout = context.policy().renewalWaitTimeout();
  }

  /**
   * Starts or joins the renewal of {@code seen}'s session.
   *
   * @return the outcome to come; never null, never completed exceptionally; already {@code
   *     Kept(seen)} while the renewal backs off after a failure
   */
  CompletableFuture<RenewalOutcome> start(Session seen, SecretKey key) {
    Renewal[] created = {null};
    Renewal renewal = registry.compute(seen.key(), (k, current) -> {
      if (current != null && !current.stale()) {
        return current;
      }
      created[0] = new Renewal(seen.key(), key, context, this::unregister);
      return created[0];
    });
    if (created[0] == null) {
      return renewal.join(seen);
    }
    if (started.incrementAndGet() % SWEEP_EVERY == 0) {
      // Given-up renewals of sessions nobody came back to, and renewals whose task was lost.
      registry.values().removeIf(Renewal::stale);
    }
    // Outside compute(): a direct executor runs the attempt right here.
    return created[0].begin(seen);
  }

  /**
   * Waits at most {@code renewalWaitTimeout} for {@code outcome}.
   *
   * @return the outcome, or {@code Kept(seen)} when the renewal did not finish in time
   */
  RenewalOutcome await(CompletableFuture<RenewalOutcome> outcome, Session seen) {
    try {
      return outcome.get(waitTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      log.debug("renewal of session {} not finished in time; serving current tokens", seen.key());
      return new Kept(seen);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a renewal's future completed exceptionally", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Kept(seen);
    }
  }

  /** Where the renewal of {@code key} is, when one is registered (for diagnostics and tests). */
  Optional<Renewal.Phase> phase(StoreKey key) {
    return Optional.ofNullable(registry.get(key)).map(Renewal::phase);
  }

  /** Forgets the renewal of an ended session. */
  void forget(StoreKey key) {
    registry.remove(key);
  }

  private void unregister(Renewal renewal) {
    registry.remove(renewal.storeKey(), renewal);
  }

  /** 4 daemon threads named {@code oidc-session-renewal-N}; pending retries dropped at shutdown. */
  static ScheduledExecutorService defaultExecutor() {
    AtomicInteger count = new AtomicInteger();
    ThreadFactory threads = runnable -> {
      Thread thread = new Thread(runnable, "oidc-session-renewal-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
    ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(4, threads);
    pool.setRemoveOnCancelPolicy(true);
    // close() lets running renewals finish; pending retries are dropped (the sessions stay valid).
    pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return Executors.unconfigurableScheduledExecutorService(pool);
  }
}
