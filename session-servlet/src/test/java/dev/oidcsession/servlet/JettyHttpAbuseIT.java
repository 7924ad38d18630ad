package dev.oidcsession.servlet;

/** The HTTP abuse suite on embedded Jetty 12 (ee10). */
class JettyHttpAbuseIT extends HttpAbuseContract {

  @Override
  Containers container() {
    return Containers.JETTY;
  }
}
