package dev.oidcsession.examples.provider;

import dev.oidcsession.servlet.Browser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal browser for the provider's pages (a {@link Browser}: no redirects followed). It reads the login
 * form's hidden fields back out of the HTML, as a browser would submit them.
 */
public final class LoginBrowser {

  private static final Pattern HIDDEN =
      Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");

  private final Browser http = new Browser();

  HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return http.get(uri.toString());
  }

  HttpResponse<String> postForm(URI uri, List<String[]> fields)
      throws IOException, InterruptedException {
    StringBuilder body = new StringBuilder();
    for (String[] field : fields) {
      if (body.length() > 0) {
        body.append('&');
      }
      body.append(URLEncoder.encode(field[0], StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(field[1], StandardCharsets.UTF_8));
    }
    return http.post(uri.toString(), body.toString());
  }

  /**
   * Opens the authorization URI, submits the login form as {@code username}, and returns where the
   * provider redirects: the callback URI with {@code code}, {@code state} and {@code iss}.
   */
  URI login(URI authorizationUri, String username) throws IOException, InterruptedException {
    HttpResponse<String> form = get(authorizationUri);
    if (form.statusCode() != 200) {
      throw new AssertionError("login form must answer 200, but answered " + form.statusCode());
    }
    List<String[]> fields = hiddenFields(form.body());
    fields.add(new String[] {"username", username});
    HttpResponse<String> submitted = postForm(authorizationUri.resolve("/authorize"), fields);
    if (submitted.statusCode() != 302) {
      throw new AssertionError("login must redirect, but answered " + submitted.statusCode());
    }
    return URI.create(submitted.headers().firstValue("Location").orElseThrow());
  }

  /** The hidden fields of the provider's login form, unescaped, in order. */
  public static List<String[]> hiddenFields(String html) {
    List<String[]> fields = new ArrayList<>();
    Matcher m = HIDDEN.matcher(html);
    while (m.find()) {
      fields.add(new String[] {unescape(m.group(1)), unescape(m.group(2))});
    }
    return fields;
  }

  private static String unescape(String html) {
    return html.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
  }
}
