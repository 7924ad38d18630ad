package dev.oidcsession.spring;

import dev.oidcsession.servlet.OidcPrincipal;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.SecurityContextHolderFilter;

/**
 * Makes the oidc-session user Spring Security's authenticated principal: a request that the
 * oidc-session filter let through with a session gets an {@link OidcSessionAuthentication}, so
 * {@code authorizeHttpRequests}, {@code @PreAuthorize} and an {@code Authentication} parameter
 * work, without Spring Security's own OAuth2 login. Authorities are {@code ROLE_<value>} for each
 * value of the ID token claim named by {@code oidc.session.roles-claim} (a name or a dotted path,
 * as for {@code request.isUserInRole}; none when unset).
 *
 * <p>Applied to every {@code HttpSecurity} automatically (registered in {@code
 * META-INF/spring.factories}, which Spring Security reads for default configurers); {@code
 * oidc.session.security.enabled=false} turns it off. Nothing is stored in an HTTP session: the
 * authentication is rebuilt from the oidc-session principal on each request.
 */
public final class OidcSessionSecurityConfigurer
    extends AbstractHttpConfigurer<OidcSessionSecurityConfigurer, HttpSecurity> {

  /** Used by Spring Security's default-configurer loading, or by {@code http.with(..)}. */
  public OidcSessionSecurityConfigurer() {}

  @Override
  public void configure(HttpSecurity http) {
    ApplicationContext context = http.getSharedObject(ApplicationContext.class);
    Environment env = context != null ? context.getEnvironment() : null;
    if (env != null && (!env.getProperty("oidc.session.enabled", Boolean.class, true)
        || !env.getProperty("oidc.session.security.enabled", Boolean.class, true))) {
      return;
    }
    String rolesClaim = env != null ? env.getProperty("oidc.session.roles-claim") : null;
    http.addFilterAfter(new BridgeFilter(rolesClaim), SecurityContextHolderFilter.class);
  }

  /** Sets the authentication from the request's {@link OidcPrincipal}, if any. */
  static final class BridgeFilter implements Filter {
    private final String rolesClaim;

    BridgeFilter(String rolesClaim) {
      this.rolesClaim = rolesClaim == null || rolesClaim.isBlank() ? null : rolesClaim;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
        throws IOException, ServletException {
      if (req instanceof HttpServletRequest request
          && request.getUserPrincipal() instanceof OidcPrincipal principal) {
        Authentication current = SecurityContextHolder.getContext().getAuthentication();
        if (current == null || current instanceof AnonymousAuthenticationToken) {
          SecurityContext context = SecurityContextHolder.createEmptyContext();
          context.setAuthentication(
              new OidcSessionAuthentication(principal, authorities(principal)));
          SecurityContextHolder.setContext(context);
        }
      }
      chain.doFilter(req, res);
    }

    private List<GrantedAuthority> authorities(OidcPrincipal principal) {
      List<GrantedAuthority> out = new ArrayList<>();
      if (rolesClaim == null) {
        return out;
      }
      Object value = principal.claims();
      for (String segment : rolesClaim.split("\\.")) {
        value = value instanceof java.util.Map<?, ?> map ? map.get(segment) : null;
      }
      if (value instanceof Collection<?> values) {
        for (Object v : values) {
          if (v != null && !v.toString().isBlank()) {
            out.add(new SimpleGrantedAuthority("ROLE_" + v));
          }
        }
      } else if (value instanceof String s && !s.isBlank()) {
        for (String v : s.trim().split("\\s+")) {
          out.add(new SimpleGrantedAuthority("ROLE_" + v));
        }
      }
      return out;
    }
  }
}
