package dev.oidcsession.examples;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.oidcsession.core.Session;
import dev.oidcsession.servlet.OidcSessionFilter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The example's pages: {@code /} public, {@code /app} and {@code /api/me} behind the filter. */
final class Pages extends HttpServlet {

  private static final long serialVersionUID = 1L;

  /** Every page's policy: only this origin's files, nothing inline. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'";

  /** Serves a file from {@code static/} next to this class; public (see ExampleApp). */
  static void asset(HttpServletResponse response, String name, String type)
      throws IOException {
    try (java.io.InputStream in = Pages.class.getResourceAsStream("static/" + name)) {
      if (in == null) {
        response.sendError(HttpServletResponse.SC_NOT_FOUND);
        return;
      }
      response.setContentType(type);
      response.setHeader("Cache-Control", "public, max-age=300");
      response.setHeader("X-Content-Type-Options", "nosniff");
      in.transferTo(response.getOutputStream());
    }
  }

  /**
   * GET and HEAD only. Anything else is a {@code 405} with {@code Allow} and a reason, where
   * {@code HttpServlet} would answer an unknown method (or, on Servlet 6.0, PATCH) with {@code 501}
   * and OPTIONS with a list of methods this app does not serve.
   */
  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws ServletException, IOException {
    String method = request.getMethod();
    if (method.equals("GET") || method.equals("HEAD")) {
      super.service(request, response);
      return;
    }
    response.setStatus(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
    response.setHeader("Allow", "GET, HEAD");
    response.setContentType("text/plain;charset=utf-8");
    response.getWriter().write("method not allowed here; allowed: GET, HEAD\n");
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = request.getRequestURI();
    Optional<Session> session = OidcSessionFilter.session(request);
    switch (path) {
      case "/" -> html(response, home(session));
      case "/app" -> html(response, app(session.orElseThrow()));
      case "/api/me" -> me(response, session.orElseThrow());
      case "/static/example.css" -> asset(response, "example.css", "text/css;charset=utf-8");
      case "/static/app.js" -> asset(response, "app.js", "text/javascript;charset=utf-8");
      default -> response.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
  }

  static String home(Optional<Session> session) {
    String action = session.isPresent()
        ? "<p>Logged in as <b>" + escape(session.get().subject()) + "</b>.</p>"
            + "<p><a id=\"to-app\" href=\"/app\">Go to the app</a></p>"
        : "<p><a id=\"login\" class=\"button\" href=\"/oidc/login?return_to=/app\">Log in</a></p>";
    return page("oidc-session example", "<h1>oidc-session example</h1>"
        + "<p>A servlet app that adopted OpenID Connect sessions with one filter.</p>" + action);
  }

  static String app(Session session) {
    StringBuilder claims = new StringBuilder("<table id=\"claims\">");
    new TreeMap<>(session.tokens().idToken().claims()).forEach((name, value) -> claims
        .append("<tr><th>").append(escape(name)).append("</th><td>")
        .append(escape(String.valueOf(value))).append("</td></tr>"));
    claims.append("</table>");
    return page("oidc-session example: app",
        "<h1>Hello, <span id=\"subject\">" + escape(session.subject()) + "</span></h1>"
        + "<p>Session expires at <time id=\"expires-at\">" + iso(session.expiresAt().toString())
        + "</time> (in <span id=\"expires-in\">…</span>) and renews next at <time id=\"renew-at\">"
        + iso(session.renewAt().toString()) + "</time> (in <span id=\"renews-in\">…</span>).</p>"
        + "<p id=\"status\">Session active.</p>"
        + "<form method=\"post\" action=\"/oidc/logout\"><button id=\"logout\" type=\"submit\">Log out"
        + "</button></form>"
        + "<h2>ID token claims</h2>" + claims
        + "<script src=\"/oidc/session.js\" data-logged-out=\"/\"></script>"
        + "<script src=\"/static/app.js\"></script>");
  }

  static void me(HttpServletResponse response, Session session) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("subject", session.subject());
    body.put("issuer", session.issuer());
    body.put("expiresAt", DateTimeFormatter.ISO_INSTANT.format(session.expiresAt()));
    body.put("renewAt", DateTimeFormatter.ISO_INSTANT.format(session.renewAt()));
    body.put("claims", session.tokens().idToken().claims());
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.getWriter().write(JSONObjectUtils.toJSONString(body));
  }

  private static String iso(String instant) {
    return escape(instant);
  }

  static void html(HttpServletResponse response, String page) throws IOException {
    response.setContentType("text/html;charset=utf-8");
    response.setHeader("Cache-Control", "no-store");
    // Styles and scripts are files under /static: nothing inline, so no 'unsafe-inline'.
    response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    response.getWriter().write(page);
  }

  private static String page(String title, String body) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
        + "</title><link rel=\"stylesheet\" href=\"/static/example.css\"></head><body>"
        + body + "</body></html>";
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
