/**
 * The OpenID Connect relying party: discovery, provider keys, the authorization-code flow with
 * PKCE, ID-token validation (OIDC Core 3.1.3.7), refresh as the session manager's {@link
 * dev.oidcsession.core.TokenRenewer} (OIDC Core 12.2), revocation (RFC 7009), RP-initiated logout
 * and back-channel logout (OIDC Back-Channel Logout 1.0).
 *
 * <p>Start with {@link dev.oidcsession.core.oidc.OidcClientConfig#builder()} and {@link
 * dev.oidcsession.core.oidc.OidcClient#create(OidcClientConfig)}; {@link
 * dev.oidcsession.core.oidc.OidcClient} is the one entry point (a facade over package-private
 * parts: provider cache, login flow, token endpoint, token validation, refresh, replay cache,
 * client authentication). Every protocol message is built, parsed and validated by nimbus's
 * oauth2-oidc-sdk, and nimbus types that appear in signatures ({@code OIDCProviderMetadata},
 * {@code JWK}, {@code JWSAlgorithm}) are part of this API; every HTTP exchange goes through one
 * {@link okhttp3.OkHttpClient}. Nothing in this package prints a token, code, secret, state, nonce
 * or PKCE verifier.
 */
package dev.oidcsession.core.oidc;
