package dev.oidcsession.core;

import java.util.Objects;
import java.util.Optional;

/**
 * A session that ended, as a {@link SessionListener} hears it.
 *
 * @param key the store key of the session (its {@link StoreKey#fingerprint()} is safe to log)
 * @param reason why it ended
 * @param session the session as last read, or empty when it was ended without being decrypted
 *     (a back-channel logout ends sessions by index, without their cookie)
 */
public record EndedSession(StoreKey key, EndReason reason, Optional<Session> session) {

  /** Validates that no component is null. */
  public EndedSession {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(session, "session");
  }
}
