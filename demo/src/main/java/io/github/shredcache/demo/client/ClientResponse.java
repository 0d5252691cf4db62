package io.github.shredcache.demo.client;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a demo node said about one connection, parsed from its answer to {@code GET /}: the node's
 * name and whether it did a full or a resumed handshake, and for a resumption where the state came
 * from. Parsing is tolerant: unknown parts stay empty, and the load client falls back to what it saw
 * itself. Immutable.
 */
final class ClientResponse {

  /** What the node reports about the handshake. */
  enum NodeClaim {
    /** The node did a full handshake. */
    FULL,
    /** Resumed from the node's own front cache (its own session). */
    RESUMED_LOCAL,
    /** Resumed from state fetched from the shared store (typically sealed by another node). */
    RESUMED_SHARED,
    /** Resumed, source not stated. */
    RESUMED,
    /** The answer does not say. */
    UNKNOWN
  }

  private static final Pattern NODE =
      Pattern.compile("(?im)^\\W*node(?:[ _-]?(?:name|id))?\\s*[=:]\\s*\"?([A-Za-z0-9._:@-]+)");
  private static final Pattern NODE_LOOSE =
      Pattern.compile("(?i)\\b(?:node|served by|from)\\s*[=: ]\\s*\"?([A-Za-z0-9._:@-]*\\d[A-Za-z0-9._:@-]*)");
  private static final Pattern RESUMPTION =
      Pattern.compile("(?im)^\\s*resumption\\s*[=:]\\s*(FULL|RESUMED_[A-Z]+)\\b");
  private static final Pattern ENGINE = Pattern.compile("(?im)^\\s*engine\\s*[=:]\\s*([A-Za-z0-9_-]+)");
  private static final Pattern PROTOCOL = Pattern.compile("\\b(TLSv1(?:\\.[0-3])?)\\b");

  private final int status;
  private final Optional<String> node;
  private final NodeClaim claim;
  private final Optional<String> protocol;
  private final Optional<String> engine;

  private ClientResponse(int status, Optional<String> node, NodeClaim claim,
      Optional<String> protocol, Optional<String> engine) {
    this.engine = engine;
    this.status = status;
    this.node = node;
    this.claim = claim;
    this.protocol = protocol;
  }

  /** Parses a raw HTTP/1.1 response (status line, headers, body). Never throws. */
  static ClientResponse parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int status = -1;
    if (text.startsWith("HTTP/")) {
      int sp = text.indexOf(' ');
      if (sp > 0 && text.length() >= sp + 4) {
        try {
          status = Integer.parseInt(text.substring(sp + 1, sp + 4));
        } catch (NumberFormatException e) {
          status = -1;
        }
      }
    }
    int bodyStart = text.indexOf("\r\n\r\n");
    String body = bodyStart >= 0 ? text.substring(bodyStart + 4) : text;
    Matcher e = ENGINE.matcher(body);
    Optional<String> engine = e.find() ? Optional.of(e.group(1).toLowerCase(Locale.ROOT))
        : Optional.empty();
    return new ClientResponse(status, node(body), claim(body), protocol(body), engine);
  }

  private static Optional<String> node(String body) {
    Matcher m = NODE.matcher(body);
    if (m.find()) {
      return Optional.of(trimPunctuation(m.group(1)));
    }
    m = NODE_LOOSE.matcher(body);
    if (m.find()) {
      return Optional.of(trimPunctuation(m.group(1)));
    }
    return Optional.empty();
  }

  private static String trimPunctuation(String s) {
    int end = s.length();
    while (end > 1 && ".,:;".indexOf(s.charAt(end - 1)) >= 0) {
      end--;
    }
    return s.substring(0, end);
  }

  private static NodeClaim claim(String body) {
    // The demo node's page: "resumption: FULL|RESUMED_LOCAL|RESUMED_SHARED|RESUMED_TICKET".
    Matcher m = RESUMPTION.matcher(body);
    if (m.find()) {
      switch (m.group(1).toUpperCase(Locale.ROOT)) {
        case "FULL": return NodeClaim.FULL;
        case "RESUMED_LOCAL": return NodeClaim.RESUMED_LOCAL;
        case "RESUMED_SHARED": return NodeClaim.RESUMED_SHARED;
        default: return NodeClaim.RESUMED;
      }
    }
    String b = body.toLowerCase(Locale.ROOT).replace('_', ' ').replace('-', ' ');
    boolean resumed = b.contains("resumed") || b.contains("reused") || b.contains("resumption: yes")
        || b.contains("abbreviated");
    if (resumed && !b.contains("not resumed") && !b.contains("resumed: no")
        && !b.contains("resumed=false") && !b.contains("resumed: false")) {
      if (b.contains("shared") || b.contains("store") || b.contains("memcached")
          || b.contains("cross") || b.contains("remote") || b.contains("other node")) {
        return NodeClaim.RESUMED_SHARED;
      }
      if (b.contains("local")) {
        return NodeClaim.RESUMED_LOCAL;
      }
      return NodeClaim.RESUMED;
    }
    if (b.contains("full")) {
      return NodeClaim.FULL;
    }
    return NodeClaim.UNKNOWN;
  }

  private static Optional<String> protocol(String body) {
    Matcher m = PROTOCOL.matcher(body);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** The HTTP status, or -1 if the response had no status line. */
  int status() {
    return status;
  }

  /** The node's name, if the answer names it. */
  Optional<String> node() {
    return node;
  }

  /** What the node says about the handshake. */
  NodeClaim claim() {
    return claim;
  }

  /** The TLS protocol the node reports, if any. */
  Optional<String> protocol() {
    return protocol;
  }

  /** The node's TLS engine ({@code bc}, {@code openssl}, {@code jdk}), if the page says. */
  Optional<String> engine() {
    return engine;
  }

  /** Whether the node says it resumed the session, from wherever. */
  boolean resumed() {
    return claim == NodeClaim.RESUMED || claim == NodeClaim.RESUMED_LOCAL
        || claim == NodeClaim.RESUMED_SHARED;
  }
}
