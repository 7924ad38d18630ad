package dev.oidcsession.servlet;

import dev.oidcsession.core.internal.LocalPaths;

/**
 * The {@code return_to} rule of the filter: a path on this site by {@link LocalPaths#isLocal}
 * (the one local-path rule, shared with the pending login), else {@code /}.
 */
final class ReturnPaths {

  static final int MAX_LENGTH = LocalPaths.MAX_LENGTH;

  private ReturnPaths() {}

  /** {@code candidate} if it is local, else {@code /}. */
  static String sanitize(String candidate) {
    return isLocal(candidate) ? candidate : "/";
  }

  static boolean isLocal(String candidate) {
    return LocalPaths.isLocal(candidate);
  }
}
