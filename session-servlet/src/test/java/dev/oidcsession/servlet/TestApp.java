package dev.oidcsession.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The app behind the filter: prints what the request tells about the user. */
final class TestApp extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (request.getRequestURI().equals("/async")
        && request.getDispatcherType() == DispatcherType.REQUEST) {
      request.startAsync().dispatch("/app/after-async"); // the app sees the user again there
      return;
    }
    response.setContentType("text/plain;charset=utf-8");
    String name = "-";
    if (request.getUserPrincipal() instanceof OidcPrincipal principal) {
      name = String.valueOf(principal.claims().get("name"));
    }
    response.getWriter().write("path=" + request.getRequestURI()
        + " user=" + request.getRemoteUser()
        + " auth=" + request.getAuthType()
        + " principal=" + (request.getUserPrincipal() == null ? "none"
            : request.getUserPrincipal().getClass().getSimpleName())
        + " name=" + name
        + " session=" + OidcSessionFilter.session(request).isPresent());
  }

}
