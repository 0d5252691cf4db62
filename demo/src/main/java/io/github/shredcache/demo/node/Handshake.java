package io.github.shredcache.demo.node;

import java.util.Locale;

/** How a node's TLS handshake went, as its page and its metrics report it. */
enum Handshake {
  /** A full handshake: new keys, a new session. */
  FULL("full"),
  /** Resumed from state this node put into its own cache. */
  RESUMED_LOCAL("resumed (local cache)"),
  /** Resumed from sealed state fetched from the shared store: typically made by another node. */
  RESUMED_SHARED("resumed (shared store)"),
  /** Resumed from a session ticket the client presented (ticket mode, OpenSSL engine). */
  RESUMED_TICKET("resumed (session ticket)");

  private final String description;

  Handshake(String description) {
    this.description = description;
  }

  /** Returns the text the node's page shows, e.g. {@code resumed (shared store)}. */
  public String description() {
    return description;
  }

  /** Returns the metric tag value, e.g. {@code resumed_shared}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Returns whether the handshake was abbreviated. */
  public boolean resumed() {
    return this != FULL;
  }
}
