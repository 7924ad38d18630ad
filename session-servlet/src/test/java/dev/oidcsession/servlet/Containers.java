package dev.oidcsession.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The two servlet containers the filter is tested on, started on loopback with their stock
 * settings: {@code filter} on {@code /*} for the REQUEST and ASYNC dispatches, before {@code app}
 * as the default servlet. Closing the result stops the container.
 */
enum Containers {
  /** Embedded Jetty 12 (ee10). */
  JETTY {
    @Override
    AutoCloseable start(Filter filter, HttpServlet app, int port) throws Exception {
      Server server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      connector.setPort(port);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      FilterHolder holder = new FilterHolder(filter);
      holder.setAsyncSupported(true);
      context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
      ServletHolder servlet = new ServletHolder(app);
      servlet.setAsyncSupported(true);
      context.addServlet(servlet, "/*");
      server.setHandler(context);
      server.start();
      return server::stop;
    }
  },
  /** Embedded Tomcat 11. */
  TOMCAT {
    @Override
    AutoCloseable start(Filter filter, HttpServlet app, int port) throws Exception {
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
      Tomcat.addServlet(context, "app", app).setAsyncSupported(true);
      context.addServletMappingDecoded("/", "app");
      tomcat.start();
      return () -> {
        tomcat.stop();
        tomcat.destroy();
      };
    }
  };

  abstract AutoCloseable start(Filter filter, HttpServlet app, int port) throws Exception;
}
