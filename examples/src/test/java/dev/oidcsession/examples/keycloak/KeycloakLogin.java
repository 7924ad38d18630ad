package dev.oidcsession.examples.keycloak;

import static dev.oidcsession.servlet.Browser.location;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.servlet.Browser;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Logs a {@link Browser} in to an app through Keycloak's real login page: from a protected page to
 * the app's login endpoint, to Keycloak's authorization endpoint, its HTML form (whose action is
 * read from the page, as a browser does), the form post with username and password, the app's
 * callback, and back to the protected page.
 */
final class KeycloakLogin {

  private static final Pattern LOGIN_FORM =
      Pattern.compile("<form[^>]*\\bid=\"kc-form-login\"[^>]*>", Pattern.DOTALL);
  private static final Pattern ACTION = Pattern.compile("\\baction=\"([^\"]+)\"");

  private KeycloakLogin() {}

  /** Returns the protected page {@code /app} after login. */
  static HttpResponse<String> login(Browser browser, String appBase, String username) {
    HttpResponse<String> page = browser.navigate(appBase + "/app");
    assertThat(page.statusCode()).isEqualTo(302);
    HttpResponse<String> authorize = browser.follow(page); // the app's /oidc/login
    assertThat(location(authorize)).contains("/protocol/openid-connect/auth?")
        .contains("code_challenge_method=S256");
    HttpResponse<String> form = browser.follow(authorize);
    assertThat(form.statusCode()).as(form.body()).isEqualTo(200);
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("username", username);
    fields.put("password", InteropRealm.PASSWORD);
    fields.put("credentialId", "");
    HttpResponse<String> signedIn = browser.post(formAction(form.body()), fields);
    assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(302);
    assertThat(location(signedIn)).startsWith(appBase + "/oidc/callback?");
    HttpResponse<String> callback = browser.follow(signedIn);
    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(302);
    HttpResponse<String> app = browser.follow(callback);
    assertThat(app.statusCode()).as(app.body()).isEqualTo(200);
    return app;
  }

  /** The action of Keycloak's login form, HTML-unescaped. */
  static String formAction(String html) {
    Matcher form = LOGIN_FORM.matcher(html);
    assertThat(form.find()).as("Keycloak's login form (kc-form-login) in:\n" + html).isTrue();
    Matcher action = ACTION.matcher(form.group());
    assertThat(action.find()).as("the action of " + form.group()).isTrue();
    return action.group(1).replace("&amp;", "&");
  }
}
