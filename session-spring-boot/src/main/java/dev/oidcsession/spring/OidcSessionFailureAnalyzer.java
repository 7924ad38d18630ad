package dev.oidcsession.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns an {@link OidcSessionConfigurationException} into Spring Boot's start-up report: the one
 * sentence as the description, the {@code oidc.session.*} properties as the action.
 */
final class OidcSessionFailureAnalyzer
    extends AbstractFailureAnalyzer<OidcSessionConfigurationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, OidcSessionConfigurationException cause) {
    return new FailureAnalysis(cause.getMessage(),
        "Correct the property named above (see README, \"Spring Boot\", for every oidc.session.*"
            + " property).",
        cause);
  }
}
