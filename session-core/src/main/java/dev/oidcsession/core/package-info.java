/**
 * The session engine: login sessions that live exactly as long as the user's OpenID Connect
 * tokens allow, renewed ahead of time, once, across every server that shares a store.
 *
 * <h2>Where to start</h2>
 *
 * <ul>
 *   <li>{@link dev.oidcsession.core.SessionManager}: create, resolve, renew and end sessions; its
 *       class Javadoc states the guarantees (refresh-ahead, single flight, no surprise logouts).
 *   <li>{@link dev.oidcsession.core.Session}: what a resolved request gets, with its tokens and
 *       the times that govern it.
 *   <li>{@link dev.oidcsession.core.SessionPolicy}: the lifecycle rules and their settings; {@link
 *       dev.oidcsession.core.SessionPolicy#assess} is the one decision, returning a {@link
 *       dev.oidcsession.core.SessionState} that says what the request does.
 *   <li>{@link dev.oidcsession.core.SessionListener}: created, renewed, renewal failed, ended,
 *       for metrics and audit.
 * </ul>
 *
 * <h2>Values</h2>
 *
 * Immutable, with {@link java.time.Instant} and {@link java.time.Duration} for every time, and
 * no secret in any {@code toString()}: {@link dev.oidcsession.core.TokenSet}, {@link
 * dev.oidcsession.core.TokenSecret}, {@link dev.oidcsession.core.IdToken}, {@link
 * dev.oidcsession.core.CreatedSession}, {@link dev.oidcsession.core.SessionHandle} (the cookie
 * value), {@link dev.oidcsession.core.EndedSession} and {@link dev.oidcsession.core.EndReason}.
 * {@link dev.oidcsession.core.TokenRenewer} is the hook to the provider (the {@code
 * dev.oidcsession.core.oidc} package implements it); {@link
 * dev.oidcsession.core.TokenRenewalException} and {@link
 * dev.oidcsession.core.SessionStoreUnavailableException} are the failures callers see.
 *
 * <h2>For store authors</h2>
 *
 * A store is a dumb, atomic, expiring byte map: implement {@link
 * dev.oidcsession.core.SessionStore} over {@link dev.oidcsession.core.StoredEntry} (ciphertext,
 * version, expiry, index keys), {@link dev.oidcsession.core.StoreKey}, {@link
 * dev.oidcsession.core.IndexKey} and {@link dev.oidcsession.core.Lease}; the engine encrypts and
 * decides. {@link dev.oidcsession.core.InMemorySessionStore} is the reference. Prove a store with
 * the contract test {@code dev.oidcsession.core.SessionStoreContract} in session-core's test-jar
 * (classifier {@code tests}): subclass it and supply {@code store()}, {@code now()} and {@code
 * passTime(Instant)}.
 *
 * <p>Everything else in this package is package-private. {@code dev.oidcsession.core.internal}
 * is public only for other oidc-session modules and is not API.
 */
package dev.oidcsession.core;
