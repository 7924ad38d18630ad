package dev.oidcsession.core;

import java.util.Objects;

/**
 * A renewal lease on one stored session, held by {@code owner} until released or expired.
 *
 * @param key the session's store key
 * @param owner a random value that identifies the holder; only it may release the lease
 */
public record Lease(StoreKey key, String owner) {

  /** Validates that no component is null or blank. */
  public Lease {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(owner, "owner");
    if (owner.isBlank()) {
      throw new IllegalArgumentException("lease owner must not be blank");
    }
  }
}
