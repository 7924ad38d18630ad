package dev.oidcsession.examples;

import static dev.oidcsession.servlet.Browser.location;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.examples.provider.LoginBrowser;
import dev.oidcsession.servlet.Browser;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/** Logs a {@link Browser} in to the example app through the development provider's form. */
public final class DevLogin {

  private DevLogin() {}

  /** From a protected page through every redirect; returns the protected page after login. */
  public static HttpResponse<String> login(Browser browser, String appBase, String username) {
    HttpResponse<String> page = browser.navigate(appBase + "/app");
    assertThat(page.statusCode()).isEqualTo(302);
    HttpResponse<String> form = browser.follow(browser.follow(page));
    assertThat(form.statusCode()).as(form.body()).isEqualTo(200);
    Map<String, String> fields = new LinkedHashMap<>();
    for (String[] field : LoginBrowser.hiddenFields(form.body())) {
      fields.put(field[0], field[1]);
    }
    fields.put("username", username);
    HttpResponse<String> signedIn =
        browser.post(form.uri().resolve("/authorize").toString(), fields);
    assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(302);
    HttpResponse<String> callback = browser.follow(signedIn);
    assertThat(callback.statusCode()).as(callback.body() + " " + location(callback)).isEqualTo(302);
    return browser.follow(callback);
  }
}
