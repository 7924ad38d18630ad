package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public API of a package as text, one member a line, compared with a checked-in listing so
 * that an API change is a visible diff in review (after OkHttp's {@code okhttp.api}). Run the
 * module's tests with {@code -Dapi.update=true} to rewrite the listing after an intended change.
 */
public final class PublicApi {

  private PublicApi() {}

  /**
   * Fails unless the public API of {@code packageName} (its public types and their public and
   * protected members) equals the listing at {@code listing}, relative to the module's directory.
   */
  public static void assertMatches(String packageName, Path listing) {
    String actual = describe(packageName);
    if (Boolean.getBoolean("api.update")) {
      try {
        Files.createDirectories(listing.toAbsolutePath().getParent());
        Files.writeString(listing, actual, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    String expected;
    try {
      expected = Files.readString(listing, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("no API listing at " + listing + "; run with -Dapi.update=true", e);
    }
    assertThat(actual)
        .as("public API of %s drifted from %s; if intended, run with -Dapi.update=true and"
            + " commit the listing", packageName, listing)
        .isEqualTo(expected);
  }

  static String describe(String packageName) {
    List<String> lines = new ArrayList<>();
    for (Class<?> type : types(packageName)) {
      if (!Modifier.isPublic(type.getModifiers())) {
        continue;
      }
      lines.add(Modifier.toString(type.getModifiers() & ~Modifier.INTERFACE) + " "
          + kind(type) + " " + type.getName().substring(packageName.length() + 1)
          + supertypes(type));
      List<String> members = new ArrayList<>();
      for (Field f : type.getDeclaredFields()) {
        if (visible(f.getModifiers()) && !f.isSynthetic()) {
          members.add("  " + Modifier.toString(f.getModifiers()) + " "
              + f.getGenericType().getTypeName() + " " + f.getName());
        }
      }
      for (Constructor<?> c : type.getDeclaredConstructors()) {
        if (visible(c.getModifiers()) && !c.isSynthetic()) {
          members.add("  " + Modifier.toString(c.getModifiers()) + " <init>("
              + params(c.getGenericParameterTypes()) + ")");
        }
      }
      for (Method m : type.getDeclaredMethods()) {
        if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
          members.add("  " + Modifier.toString(m.getModifiers()) + " "
              + m.getGenericReturnType().getTypeName() + " " + m.getName() + "("
              + params(m.getGenericParameterTypes()) + ")");
        }
      }
      members.sort(null);
      lines.addAll(members);
    }
    return String.join("\n", lines) + "\n";
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static String kind(Class<?> type) {
    if (type.isAnnotation()) {
      return "@interface";
    }
    if (type.isInterface()) {
      return "interface";
    }
    if (type.isEnum()) {
      return "enum";
    }
    return type.isRecord() ? "record" : "class";
  }

  private static String supertypes(Class<?> type) {
    List<String> supers = new ArrayList<>();
    if (type.getSuperclass() != null && type.getSuperclass() != Object.class
        && !type.isEnum() && !type.isRecord()) {
      supers.add(type.getGenericSuperclass().getTypeName());
    }
    Arrays.stream(type.getGenericInterfaces()).map(t -> t.getTypeName()).forEach(supers::add);
    return supers.isEmpty() ? "" : " : " + String.join(", ", supers);
  }

  private static String params(java.lang.reflect.Type[] types) {
    return Arrays.stream(types).map(java.lang.reflect.Type::getTypeName)
        .collect(Collectors.joining(", "));
  }

  /** The classes of {@code packageName} compiled into this module's main output, nested included. */
  private static List<Class<?>> types(String packageName) {
    String path = packageName.replace('.', '/');
    Path dir = Path.of("target", "classes", path);
    if (!Files.isDirectory(dir)) {
      URL url = Thread.currentThread().getContextClassLoader().getResource(path);
      try {
        dir = Path.of(url.toURI());
      } catch (URISyntaxException | NullPointerException e) {
        throw new IllegalStateException("cannot find the classes of " + packageName, e);
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".class") && !n.equals("package-info.class"))
          .map(n -> packageName + "." + n.substring(0, n.length() - ".class".length()))
          .filter(n -> !n.matches(".*\\$\\d+.*")) // anonymous and local classes
          .sorted()
          .collect(Collectors.toList());
      List<Class<?>> types = new ArrayList<>();
      for (String name : names) {
        Class<?> type = Class.forName(name, false, PublicApi.class.getClassLoader());
        if (isReachable(type)) {
          types.add(type);
        }
      }
      return types;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A nested type counts only when every enclosing type is public too. */
  private static boolean isReachable(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
      if (!Modifier.isPublic(t.getModifiers())) {
        return false;
      }
    }
    return true;
  }
}
