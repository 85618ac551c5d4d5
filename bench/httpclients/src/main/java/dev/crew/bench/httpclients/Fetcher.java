package dev.crew.bench.httpclients;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Properties;

/** One HTTP client as http-get would use it: a blocking GET whose body is counted, not kept. */
interface Fetcher extends AutoCloseable {
  Duration TIMEOUT = Duration.ofSeconds(30);
  Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** The response's status and body size. */
  record Fetched(int status, long bytes) {}

  Fetched get(URI uri) throws Exception;

  /** The client's name and version, for the table. */
  String describe();

  /** A client's version as the build put it in versions.properties. */
  static String versionOf(String client) {
    try (InputStream in = Fetcher.class.getResourceAsStream("/versions.properties")) {
      Properties versions = new Properties();
      if (in != null) {
        versions.load(in);
      }
      return versions.getProperty(client, "?");
    } catch (IOException e) {
      return "?";
    }
  }

  /**
   * The client called NAME, with room for MAX_CONNECTIONS connections to one host.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  static Fetcher named(String name, int maxConnections) throws Exception {
    return switch (name) {
      case "jdk" -> new JdkFetcher();
      case "vertx" -> new VertxFetcher(maxConnections);
      case "jetty" -> new JettyFetcher(maxConnections);
      case "reactor-netty" -> new ReactorNettyFetcher(maxConnections);
      case "http-get" -> new TaskFetcher();
      default ->
          throw new IllegalArgumentException(
              "unknown client '" + name + "' (jdk, vertx, jetty, reactor-netty, http-get)");
    };
  }
}
