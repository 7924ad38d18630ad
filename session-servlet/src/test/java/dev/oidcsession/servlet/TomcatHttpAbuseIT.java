package dev.oidcsession.servlet;

/** The HTTP abuse suite on embedded Tomcat 11. */
class TomcatHttpAbuseIT extends HttpAbuseContract {

  @Override
  Containers container() {
    return Containers.TOMCAT;
  }
}
