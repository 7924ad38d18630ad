/**
 * An embedded development OpenID Provider ({@link dev.oidcsession.examples.provider.DevProvider})
 * for the example app and the integration tests. Example and test code only: it accepts any
 * username without a password.
 */
package dev.oidcsession.examples.provider;
