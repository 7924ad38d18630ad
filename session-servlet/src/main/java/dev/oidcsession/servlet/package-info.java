/**
 * {@link dev.oidcsession.servlet.OidcSessionFilter}: OpenID Connect login, the session lifecycle
 * and logout for any Jakarta Servlet 6 application, configured with {@link
 * dev.oidcsession.servlet.OidcSessionConfig}.
 *
 * <p>Where to start: the API is three types. {@link dev.oidcsession.servlet.OidcSessionConfig}
 * (every setting, from code, {@code init-param}s or the environment) and {@link
 * dev.oidcsession.servlet.OidcSessionFilter} (what each endpoint answers) first, then {@link
 * dev.oidcsession.servlet.OidcPrincipal} (what the app sees of the user).
 *
 * <p>Inside, package-private, in reading order: {@code OidcSessionFilter.doFilter} routes a
 * request; {@code FilterRuntime} is everything {@code init} wires (protocol client, session
 * manager, cookies, rules), one immutable value; {@code Endpoints} answers login, callback,
 * logout, back-channel logout, {@code /session} and {@code session.js}; {@code
 * AuthenticatedRequest} is what the app's servlet receives; {@code Cookies}, {@code Responses},
 * {@code RequestRules} (cross-site, navigation, public paths), {@code ReturnPaths}, {@code
 * LoginParameters} and {@code PendingLoginCookies} are the rules they share; {@code
 * ConfigSources}, {@code SettingRules}, {@code ProviderAccess} (client authentication, HTTP
 * client) and {@code ClientKeys} read and check the configuration and key files.
 */
package dev.oidcsession.servlet;
