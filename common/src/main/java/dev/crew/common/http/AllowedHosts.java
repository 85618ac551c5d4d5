package dev.crew.common.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Host} headers the endpoint answers, its defence against DNS rebinding: a web page
 * whose own name the attacker points at this worker's address makes the browser send that name as
 * the {@code Host}, so an endpoint that answers only its own names and addresses gives the page
 * nothing. Answered: no {@code Host} at all (no browser sends that), any IP address (a rebinding
 * page is always reached by a name, so an address in {@code Host} was asked for as such: probes and
 * scrapers by pod IP, or through a port mapping), {@code localhost}, the name the endpoint was
 * bound to, and the names the operator adds. A port in the header is ignored: the attacker chooses
 * it as freely as the name.
 */
public record AllowedHosts(Set<String> names) {
  private static final Pattern IPV4 =
      Pattern.compile(
          "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

  /** What may stand inside the brackets of an IPv6 address, zone included. */
  private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*(%[0-9a-z._-]+)?");

  private static final Pattern NAME =
      Pattern.compile("[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*");

  public AllowedHosts {
    names = Set.copyOf(names);
  }

  /**
   * {@code localhost}, {@code bind} if it is a name, and {@code extra}; each a name as it would
   * appear in a URL, with or without a port.
   *
   * @throws IllegalArgumentException naming the first of {@code extra} that is not a host name
   */
  public static AllowedHosts of(String bind, Collection<String> extra) {
    Set<String> names = new TreeSet<>(List.of("localhost"));
    hostOf(bind).ifPresent(names::add);
    for (String given : extra) {
      String trimmed = given.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      names.add(
          hostOf(trimmed)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "'"
                              + trimmed
                              + "' is not a host name (such as crew-workers.crew.svc) or an"
                              + " address")));
    }
    return new AllowedHosts(names);
  }

  /** Whether a request whose {@code Host} headers are {@code headers} is answered. */
  public boolean allows(@Nullable List<String> headers) {
    if (headers == null || headers.isEmpty()) {
      return true;
    }
    if (headers.size() > 1) {
      return false; // which one would a proxy on the way have read?
    }
    Optional<String> host = hostOf(headers.getFirst());
    return host.isPresent() && (isAddress(host.get()) || names.contains(host.get()));
  }

  /**
   * The host part of a {@code Host} header (or of a name given to an option): lower case, without
   * its port, the brackets of an IPv6 address or the final dot of a fully qualified name; empty if
   * it is none of these.
   */
  static Optional<String> hostOf(String header) {
    String text = header.trim().toLowerCase(Locale.ROOT);
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        return Optional.empty();
      }
      host = text.substring(1, close);
      port = text.substring(close + 1);
      if (!IPV6.matcher(host).matches()) {
        return Optional.empty();
      }
    } else {
      int colon = text.indexOf(':');
      host = colon < 0 ? text : text.substring(0, colon);
      port = colon < 0 ? "" : text.substring(colon);
      if (host.endsWith(".")) {
        host = host.substring(0, host.length() - 1);
      }
      if (!NAME.matcher(host).matches()) {
        return Optional.empty();
      }
    }
    if (!port.isEmpty() && !port.matches(":\\d{1,5}")) {
      return Optional.empty();
    }
    return Optional.of(host);
  }

  /** Whether {@code host} (as {@link #hostOf} gives it) is an IP address rather than a name. */
  static boolean isAddress(String host) {
    if (IPV4.matcher(host).matches()) {
      return true;
    }
    if (!IPV6.matcher(host).matches()) {
      return false;
    }
    try {
      // In brackets the text is parsed as an IPv6 literal or refused, never looked up.
      InetAddress.getByName("[" + host + "]");
      return true;
    } catch (UnknownHostException | SecurityException e) {
      return false;
    }
  }
}
