package dev.oidcsession.servlet;

/** The filter contract on embedded Tomcat 11, for compatibility. */
class TomcatFilterIT extends OidcSessionFilterContract {

  @Override
  AutoCloseable serve(OidcSessionFilter filter, int port) throws Exception {
    return Containers.TOMCAT.start(filter, new TestApp(), port);
  }
}
