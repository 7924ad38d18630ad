/**
 * {@link dev.oidcsession.servlet.OidcSessionFilter}: OpenID Connect login, the session lifecycle
 * and logout for any Jakarta Servlet 6 application, configured with {@link
 * dev.oidcsession.servlet.OidcSessionConfig}.
 */
package dev.oidcsession.servlet;
