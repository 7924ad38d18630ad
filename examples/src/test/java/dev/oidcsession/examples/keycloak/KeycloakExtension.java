package dev.oidcsession.examples.keycloak;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives test classes one {@link Keycloak} for the whole run: the first class that asks starts it,
 * the others reuse it, and JUnit closes it (stopping the process) when the run ends, also after a
 * failed test. Use {@code @ExtendWith(KeycloakExtension.class)} and take a {@code Keycloak}
 * parameter in a {@code @BeforeAll} method.
 */
final class KeycloakExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KeycloakExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Keycloak.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    // The root context's store lives until the end of the run and closes what it holds.
    return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Keycloak.class, type -> {
      try {
        return Keycloak.start();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("Keycloak did not start: " + e.getMessage(), e);
      }
    }, Keycloak.class);
  }
}
