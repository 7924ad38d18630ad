package dev.oidcsession.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;

/**
 * The app behind the filter in the abuse suite: answers every method with the path the container
 * routed ({@code servletPath + pathInfo}), the raw request URI and the user, so a test sees which
 * page an odd URL reached and whether it reached it anonymously.
 */
final class AbuseApp extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setContentType("text/plain;charset=utf-8");
    response.getWriter().write("routed=" + request.getServletPath()
        + Objects.requireNonNullElse(request.getPathInfo(), "")
        + " uri=" + request.getRequestURI() + " user=" + request.getRemoteUser());
  }
}
