package dev.oidcsession.servlet;

/** The filter contract on embedded Jetty 12 (ee10). */
class JettyFilterIT extends OidcSessionFilterContract {

  @Override
  AutoCloseable serve(OidcSessionFilter filter, int port) throws Exception {
    return Containers.JETTY.start(filter, new TestApp(), port);
  }
}
