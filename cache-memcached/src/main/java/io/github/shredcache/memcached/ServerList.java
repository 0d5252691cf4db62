package io.github.shredcache.memcached;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Parses {@code host:port[,host:port...]}; every error message says what a valid entry looks like. */
final class ServerList {
  private ServerList() {}

  /**
   * Returns the resolved addresses of {@code spec}, in order.
   *
   * @throws IllegalArgumentException naming the first malformed, duplicated or unresolvable entry
   */
  static List<InetSocketAddress> parse(String spec) {
    if (spec == null) {
      throw new NullPointerException("servers");
    }
    if (spec.isBlank()) {
      throw new IllegalArgumentException(
          "memcached server list is empty; expected host:port[,host:port...], e.g. 'cache1:11211'");
    }
    List<InetSocketAddress> out = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String raw : spec.split(",", -1)) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        throw new IllegalArgumentException(
            "memcached server list has an empty entry, was '" + spec + "'; expected"
                + " host:port[,host:port...]");
      }
      String host;
      String port;
      if (entry.startsWith("[")) { // [IPv6]:port
        int close = entry.indexOf(']');
        if (close < 0 || close + 1 >= entry.length() || entry.charAt(close + 1) != ':') {
          throw malformed(entry);
        }
        host = entry.substring(1, close);
        port = entry.substring(close + 2);
      } else {
        int colon = entry.lastIndexOf(':');
        if (colon <= 0 || entry.indexOf(':') != colon) {
          throw malformed(entry);
        }
        host = entry.substring(0, colon);
        port = entry.substring(colon + 1);
      }
      if (host.isEmpty() || port.isEmpty() || !port.chars().allMatch(c -> c >= '0' && c <= '9')
          || port.length() > 5) {
        throw malformed(entry);
      }
      int portNumber = Integer.parseInt(port);
      if (portNumber < 1 || portNumber > 65535) {
        throw new IllegalArgumentException(
            "memcached port must be 1 to 65535, was '" + entry + "'");
      }
      if (!seen.add(host + ":" + portNumber)) {
        throw new IllegalArgumentException(
            "memcached server '" + entry + "' is listed twice; list each server once");
      }
      InetSocketAddress address = new InetSocketAddress(host, portNumber);
      if (address.isUnresolved()) {
        throw new IllegalArgumentException(
            "memcached host '" + host + "' does not resolve (in '" + entry + "'); check the name"
                + " or use an IP address");
      }
      out.add(address);
    }
    return List.copyOf(out);
  }

  private static IllegalArgumentException malformed(String entry) {
    return new IllegalArgumentException("memcached address must be host:port, was '" + entry + "'");
  }
}
