package dev.oidcsession.core;

import java.util.Objects;

/**
 * An opaque key under which a store lists the sessions of one {@code (issuer, sid)} or {@code
 * (issuer, subject)}, so that a back-channel logout can end sessions it cannot decrypt. The
 * manager computes it as a (keyed, when a secret is configured) hash, so a copy of the store does
 * not list who is logged in. Stores treat it as a plain string.
 *
 * @param value base64url characters only, 16 to 128 of them
 */
public record IndexKey(String value) {

  /** Validates the form. */
  public IndexKey {
    Objects.requireNonNull(value, "value");
    if (!StoreKey.base64Url(value)) {
      throw new IllegalArgumentException(
          "index key must be 16 to 128 base64url characters, but had " + value.length());
    }
  }
}
