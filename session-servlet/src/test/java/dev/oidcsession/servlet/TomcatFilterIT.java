package dev.oidcsession.servlet;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/** The filter contract on embedded Tomcat 11, for compatibility. */
class TomcatFilterIT extends OidcSessionFilterContract {

  @Override
  AutoCloseable serve(OidcSessionFilter filter, int port) throws Exception {
    Path base = Files.createTempDirectory("tomcat-it");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector();
    connector.setPort(port);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.toString());
    FilterDef def = new FilterDef();
    def.setFilterName("oidc");
    def.setFilter(filter);
    def.setAsyncSupported("true");
    context.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName("oidc");
    map.addURLPattern("/*");
    map.setDispatcher("REQUEST");
    map.setDispatcher("ASYNC");
    context.addFilterMap(map);
    Tomcat.addServlet(context, "app", new TestApp()).setAsyncSupported(true);
    context.addServletMappingDecoded("/", "app");
    tomcat.start();
    return () -> {
      tomcat.stop();
      tomcat.destroy();
    };
  }
}
