package dev.crew.common.tasks;

import dev.crew.common.tasks.HttpGetTask.Fetch;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpResponseException;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * The GETs of http-get, on Jetty's HTTP client: one pool of HTTP/1.1 connections per host, TLS with
 * the JDK's trust store and host name checks, bodies counted as they stream and never kept.
 * Redirects follow java.net.http's NORMAL policy, which http-get used before (up to 4, never from
 * https to http; a redirect not followed is the result), and the timeout bounds the whole GET,
 * redirects and body included.
 */
final class HttpGetClient implements AutoCloseable {
  /** java.net.http's default limit (jdk.httpclient.redirects.retrylimit 5: 4 followed). */
  static final int MAX_REDIRECTS = 4;

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * High enough that the I/O lane's limit, not the client, bounds the GETs to one host, as with
   * java.net.http, which has no such limit.
   */
  private static final int MAX_CONNECTIONS_PER_HOST = 100_000;

  /**
   * Jetty's threads only parse bytes and hand each answer to the virtual thread that waits for it:
   * they never block, so a few per core keep up. Jetty's default pool grows to 200 under 1,000 GETs
   * in flight, about 25 MiB of thread stacks for no gain on 2 cores.
   */
  static final int CLIENT_THREADS = Math.max(8, 2 * Runtime.getRuntime().availableProcessors());

  private final HttpClient client = new HttpClient();

  HttpGetClient() {
    // Daemon threads: an idle pool must not keep a JVM from exiting.
    QueuedThreadPool threads = new QueuedThreadPool(CLIENT_THREADS);
    threads.setName("http-get");
    threads.setDaemon(true);
    client.setExecutor(threads);
    client.setScheduler(new ScheduledExecutorScheduler("http-get-timer", /* daemon= */ true));
    client.setConnectTimeout(CONNECT_TIMEOUT.toMillis());
    client.setMaxConnectionsPerDestination(MAX_CONNECTIONS_PER_HOST);
    client.setMaxRequestsQueuedPerDestination(Integer.MAX_VALUE);
    client.setFollowRedirects(false); // followed here, by java.net.http's rules
    try {
      client.start();
      // Bodies are counted as sent, as before: no Accept-Encoding, nothing decoded. (Starting
      // installs the defaults.)
      client.getContentDecoderFactories().clear();
    } catch (Exception e) {
      throw new IllegalStateException("the HTTP client did not start: " + e, e);
    }
  }

  /**
   * GETs URI, following redirects, within TIMEOUT.
   *
   * @throws HttpTimeoutException when the GET takes longer than TIMEOUT
   *     (HttpConnectTimeoutException when a connection takes longer than the connect timeout)
   * @throws IOException when the GET fails, with a one-line message that names the host or URL
   */
  Fetch get(URI uri, Duration timeout) throws IOException, InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    URI at = uri;
    for (int redirects = 0; ; redirects++) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw timedOut(uri, timeout);
      }
      Response response = onAnOpenConnection(at, uri, timeout, deadline);
      Optional<URI> next =
          redirects < MAX_REDIRECTS ? redirectTarget(at, response) : Optional.empty();
      if (next.isEmpty()) {
        return new Fetch(
            response.status(), response.bytes(), (System.nanoTime() - start) / 1_000_000);
      }
      at = next.get();
    }
  }

  /**
   * Most GETs one item sends when their connections break: pooled connections that the server had
   * closed before it answered (java.net.http sends a GET again on another connection then), or a
   * connection broken during the answer (a GET is safe to send again, as urllib3 does for reads).
   */
  static final int BROKEN_CONNECTION_TRIES = 8;

  /**
   * One GET of AT, sent again on another connection when its connection breaks: a server closes
   * idle keep-alive connections when it likes (the JDK's own HTTP server keeps at most 200 idle),
   * and a GET is safe to send again.
   */
  private Response onAnOpenConnection(URI at, URI item, Duration timeout, long deadline)
      throws IOException, InterruptedException {
    for (int tries = 1; ; tries++) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw timedOut(item, timeout);
      }
      try {
        return once(at, item, timeout, left);
      } catch (BrokenConnection e) {
        if (tries >= BROKEN_CONNECTION_TRIES) {
          throw e;
        }
      }
    }
  }

  /** The GET's connection broke before its answer ended: the GET may go again on another. */
  static final class BrokenConnection extends IOException {
    BrokenConnection(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * How long past its timeout a GET is waited for before it counts as lost in the client. Under
   * heavy connection churn (a server closing keep-alive connections as GETs go out on them), Jetty
   * 12.1 was seen to leave 2 of 60,000 GETs with neither an answer nor its timeout.
   */
  static final Duration LOST_GRACE = Duration.ofSeconds(1);

  /** One response: its status, body size and Location header (empty if none). */
  private record Response(int status, long bytes, String location) {}

  /** One GET of AT (for ITEM, whose timeout is TIMEOUT) with LEFT nanoseconds to go. */
  private Response once(URI at, URI item, Duration timeout, long left)
      throws IOException, InterruptedException {
    AtomicLong bytes = new AtomicLong();
    AtomicBoolean answering = new AtomicBoolean();
    CompletableFuture<Response> done = new CompletableFuture<>();
    Request request =
        client
            .newRequest(at)
            .timeout(left, TimeUnit.NANOSECONDS)
            .onResponseBegin(response -> answering.set(true))
            .onResponseContent((response, chunk) -> bytes.addAndGet(chunk.remaining()));
    if (left > TimeUnit.MILLISECONDS.toNanos(client.getIdleTimeout())) {
      // Only the item's timeout ends a slow GET, as with java.net.http, not the connection's idle
      // timeout (which also closes pooled connections left unused); set only when it would come
      // first, since it resets the connection's timer.
      request.idleTimeout(left, TimeUnit.NANOSECONDS);
    }
    request.send(
        result -> {
          if (result.isFailed()) {
            done.completeExceptionally(result.getFailure());
          } else {
            String location = result.getResponse().getHeaders().get(HttpHeader.LOCATION);
            done.complete(
                new Response(
                    result.getResponse().getStatus(),
                    bytes.get(),
                    location == null ? "" : location));
          }
        });
    try {
      return answer(done, left + LOST_GRACE.toNanos(), request::abort, item, timeout);
    } catch (ExecutionException e) {
      throw failure(e.getCause() == null ? e : e.getCause(), answering.get(), at, item, timeout);
    }
  }

  /**
   * The answer DONE brings within WAIT nanoseconds. Jetty's own timeout should end every GET before
   * that; one it did not end is lost in the client, and is aborted and ends as timed out here,
   * rather than hold its item (and its slot of the lane) forever.
   */
  static <T> T answer(
      CompletableFuture<T> done,
      long waitNanos,
      Consumer<Throwable> abort,
      URI item,
      Duration timeout)
      throws InterruptedException, ExecutionException, HttpTimeoutException {
    try {
      return done.get(waitNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      abort.accept(e);
      throw e;
    } catch (TimeoutException e) {
      abort.accept(e);
      throw timedOut(item, timeout);
    }
  }

  /** Where RESPONSE to a GET of AT redirects to, if java.net.http's NORMAL policy follows it. */
  static Optional<URI> redirectTarget(URI at, int status, String location) throws IOException {
    boolean redirect =
        status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    if (!redirect) {
      return Optional.empty();
    }
    if (location.isEmpty()) {
      throw new IOException("redirect (" + status + ") without a Location: " + at);
    }
    URI target;
    try {
      target = at.resolve(location.trim());
    } catch (IllegalArgumentException e) {
      throw new IOException("redirect to a bad URL '" + location + "': " + at);
    }
    String from = at.getScheme().toLowerCase(Locale.ROOT);
    String to = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
    boolean follow = to.equals("https") || (to.equals("http") && from.equals("http"));
    return follow && target.getHost() != null ? Optional.of(target) : Optional.empty();
  }

  private static Optional<URI> redirectTarget(URI at, Response response) throws IOException {
    return redirectTarget(at, response.status(), response.location());
  }

  /**
   * What a failed GET of AT (for ITEM) throws: one line that names the host or URL. A broken
   * connection is a {@link BrokenConnection}, and the GET goes again, whatever Jetty's exception:
   * under connection churn, Jetty 12.1 was seen to fail GETs on connections the server closed with
   * an IllegalArgumentException or an AssertionError from its parser, before or during the answer,
   * not only with an EOF. Timeouts, connections refused or not made (no such host, TLS) and answers
   * that are not HTTP never go again: another try would meet them again.
   */
  static IOException failure(
      Throwable cause, boolean answering, URI at, URI item, Duration timeout) {
    // Timeouts stay timeout exceptions, which the I/O lane counts as a sign of overload.
    if (cause instanceof SocketTimeoutException) {
      return new HttpConnectTimeoutException("connect timed out: " + at.getHost());
    }
    if (cause instanceof TimeoutException) {
      return timedOut(item, timeout);
    }
    if (cause instanceof ConnectException) {
      return new IOException("connection refused: " + at.getHost() + portOf(at));
    }
    if (cause instanceof UnknownHostException) {
      return new IOException("unknown host: " + at.getHost());
    }
    if (!mayGoAgain(cause)) {
      return new IOException(oneLine(cause) + ": " + at, cause);
    }
    boolean closed =
        cause instanceof java.io.EOFException
            || cause instanceof java.nio.channels.ClosedChannelException;
    String when = answering ? "during its answer" : "before answering";
    return new BrokenConnection(
        closed
            ? "the server closed the connection " + when + ": " + at
            : oneLine(cause) + " (the connection broke " + when + "): " + at,
        cause);
  }

  /**
   * Whether a GET that failed with CAUSE, not a timeout nor a connection not made, may go again.
   */
  private static boolean mayGoAgain(Throwable cause) {
    return !(cause instanceof SSLException
        || cause instanceof HttpResponseException
        || cause instanceof VirtualMachineError);
  }

  private static String oneLine(Throwable cause) {
    String message = cause.getMessage();
    return message == null || message.isBlank()
        ? cause.getClass().getSimpleName()
        : message.lines().findFirst().orElse("");
  }

  private static HttpTimeoutException timedOut(URI item, Duration timeout) {
    return new HttpTimeoutException("timed out after " + timeout.toMillis() + " ms: " + item);
  }

  private static String portOf(URI uri) {
    return uri.getPort() < 0 ? "" : ":" + uri.getPort();
  }

  @Override
  public void close() throws Exception {
    client.stop();
  }
}
