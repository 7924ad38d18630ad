package dev.oidcsession.spring;

/**
 * Start-up stops because an {@code oidc.session.*} property, or the classpath, cannot work. The
 * message is one sentence that names the property; it never holds a secret.
 */
public class OidcSessionConfigurationException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** With a message that names the property and what is wrong with it. */
  public OidcSessionConfigurationException(String message) {
    super(message);
  }

  /** With a message that names the property, and the library's own complaint as the cause. */
  public OidcSessionConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
