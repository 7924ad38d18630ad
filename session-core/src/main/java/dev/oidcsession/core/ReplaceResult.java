package dev.oidcsession.core;

/**
 * What {@link SessionStore#replaceConfirmed} did: whether the new entry is stored, and whether the
 * store knows it will survive a failover of the store itself.
 */
public enum ReplaceResult {

  /**
   * Replaced, and as durable as the store can make it: acknowledged by a replica where the store
   * has replicas (Redis {@code WAIT 1}), or the store has no replicas to lose it to (in memory, a
   * Redis primary without replicas).
   */
  STORED,

  /**
   * Replaced on the store's primary, but no replica acknowledged it in time: a failover now could
   * bring back the entry it replaced. The session manager keeps the renewed tokens of such a write
   * in memory and writes them again if a later read shows the older entry.
   */
  STORED_UNCONFIRMED,

  /** Not replaced: the entry is absent, expired or at another version. Nothing changed. */
  CONFLICT;

  /** Whether the entry was replaced ({@link #STORED} or {@link #STORED_UNCONFIRMED}). */
  public boolean replaced() {
    return this != CONFLICT;
  }
}
