package io.github.idem.testing.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback TCP proxy in front of a PostgreSQL or MariaDB server, able to drop one request or one
 * reply on the wire; thread-safe. Each client connection gets its own server connection and two
 * forwarding threads.
 *
 * <p>"The next bytes" are the next chunk the proxy reads from any client: armed right before a call
 * on an otherwise idle connection, that chunk is that call's request, which is how {@link
 * Action#loseRequestVia} and {@link Action#loseReplyVia} use it. The proxy cannot tell which socket
 * belongs to which JDBC connection, so no other connection through it may send meanwhile: a pool in
 * front of it should have all its connections open before arming (e.g. {@code minimumIdle ==
 * maximumPoolSize}, warmed up) and no other thread using it.
 *
 * <pre>{@code
 * try (LoopbackProxy proxy = LoopbackProxy.inFrontOf(db.jdbcUrl())) {
 *   HikariConfig config = new HikariConfig();
 *   config.setJdbcUrl(proxy.rewrite(db.jdbcUrl()));
 *   ...
 *   proxy.loseNextReply(); // the next request runs; its reply never arrives
 * }
 * }</pre>
 */
public final class LoopbackProxy implements AutoCloseable {
  private static final int BUFFER = 64 * 1024;
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
  private static final Pattern URL =
      Pattern.compile(
          "(jdbc:[a-z0-9:]+?://)([^/?#@]*@)?([^/?#]*)(.*)",
          Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

  private enum Mode {
    NONE,
    LOSE_REQUEST,
    LOSE_REPLY
  }

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket listener;
  private final Set<Pipe> pipes = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Mode> armed = new AtomicReference<>(Mode.NONE);
  private volatile boolean closed;

  private LoopbackProxy(String targetHost, int targetPort, ServerSocket listener) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.listener = listener;
  }

  /**
   * Starts a proxy listening on {@code 127.0.0.1}, on an ephemeral port, forwarding to the target.
   *
   * @param targetHost the server's host
   * @param targetPort the server's port
   * @return the running proxy; close it
   * @throws UncheckedIOException if it cannot listen
   */
  public static LoopbackProxy start(String targetHost, int targetPort) {
    ServerSocket listener;
    try {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on the loopback interface", e);
    }
    LoopbackProxy proxy = new LoopbackProxy(targetHost, targetPort, listener);
    daemon("idem-proxy-accept-" + listener.getLocalPort(), proxy::accept).start();
    return proxy;
  }

  /**
   * Starts a proxy in front of the server a PostgreSQL, MariaDB or MySQL JDBC URL names (port 5432
   * or 3306 when the URL gives none); for a multi-host URL, the first host, which a driver tries
   * first (the primary of a failover pair).
   *
   * @param jdbcUrl e.g. {@code jdbc:postgresql://localhost:41234/db?user=postgres}
   * @return the running proxy; close it
   * @throws IllegalArgumentException if the URL names no host
   * @throws UncheckedIOException if it cannot listen
   */
  public static LoopbackProxy inFrontOf(String jdbcUrl) {
    Matcher url = parse(jdbcUrl);
    String hostPort = firstHost(url);
    int colon = hostPort.lastIndexOf(':');
    if (colon > hostPort.lastIndexOf(']')) {
      String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
      return start(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }
    boolean postgres = url.group(1).toLowerCase(Locale.ROOT).contains("postgresql");
    return start(hostPort.replace("[", "").replace("]", ""), postgres ? 5432 : 3306);
  }

  /**
   * The port the proxy listens on, on {@code 127.0.0.1}.
   *
   * @return the port
   */
  public int port() {
    return listener.getLocalPort();
  }

  /**
   * The same JDBC URL with its (first) {@code host:port} replaced by {@code 127.0.0.1:}{@link
   * #port()}; the other hosts of a multi-host URL stay as they are.
   *
   * @param jdbcUrl a {@code jdbc:postgresql://}, {@code jdbc:mariadb://} or {@code jdbc:mysql://}
   *     URL
   * @return the URL through this proxy
   * @throws IllegalArgumentException if the URL names no host
   */
  public String rewrite(String jdbcUrl) {
    Matcher url = parse(jdbcUrl);
    String userInfo = url.group(2) == null ? "" : url.group(2);
    String hosts = url.group(3);
    String others = hosts.substring(firstHost(url).length());
    return url.group(1) + userInfo + "127.0.0.1:" + port() + others + url.group(4);
  }

  private static String firstHost(Matcher url) {
    String hosts = url.group(3);
    int comma = hosts.indexOf(',');
    return comma < 0 ? hosts : hosts.substring(0, comma);
  }

  /**
   * Drops the next chunk any client sends: it is not forwarded, and that client's two sockets are
   * closed, so the server sees end-of-file (and rolls back an open transaction) and the driver an
   * I/O error.
   */
  public void loseNextRequest() {
    armed.set(Mode.LOSE_REQUEST);
  }

  /**
   * Forwards the next chunk any client sends, then discards the server's reply to it and closes
   * that client's two sockets: the request has run on the server (a commit has committed) but the
   * driver sees an I/O error.
   */
  public void loseNextReply() {
    armed.set(Mode.LOSE_REPLY);
  }

  /**
   * The number of open proxied connections.
   *
   * @return the count
   */
  public int connections() {
    return pipes.size();
  }

  /** Stops listening and closes every proxied connection. Idempotent. */
  @Override
  public void close() {
    closed = true;
    closeQuietly(listener);
    for (Pipe pipe : List.copyOf(pipes)) {
      pipe.close();
    }
  }

  @Override
  public String toString() {
    return "LoopbackProxy[127.0.0.1:" + port() + " -> " + targetHost + ":" + targetPort + "]";
  }

  private static Matcher parse(String jdbcUrl) {
    Matcher url = URL.matcher(jdbcUrl);
    if (!url.matches() || url.group(3).isEmpty() || url.group(3).startsWith(",")) {
      throw new IllegalArgumentException(
          "expected a jdbc:<scheme>://host:port/... URL, was '" + jdbcUrl + "'");
    }
    return url;
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      Socket server = new Socket();
      try {
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        server.connect(new InetSocketAddress(targetHost, targetPort), CONNECT_TIMEOUT_MILLIS);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(server);
        continue;
      }
      Pipe pipe = new Pipe(client, server);
      pipes.add(pipe);
      if (closed) {
        pipe.close();
        return;
      }
      pipe.start();
    }
  }

  /** Takes the armed drop, if any: only one chunk of one client gets it. */
  private Mode take() {
    Mode mode = armed.get();
    return mode != Mode.NONE && armed.compareAndSet(mode, Mode.NONE) ? mode : Mode.NONE;
  }

  private static Thread daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // closing a dead socket fails harmlessly
    }
  }

  /** One client connection and its server connection. */
  private final class Pipe {
    private final Socket client;
    private final Socket server;
    private volatile boolean loseReply;

    Pipe(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void start() {
      String name = "idem-proxy-" + port() + "-" + client.getPort();
      daemon(name + "-request", this::forwardRequests).start();
      daemon(name + "-reply", this::forwardReplies).start();
    }

    private void forwardRequests() {
      byte[] buffer = new byte[BUFFER];
      try {
        InputStream in = client.getInputStream();
        OutputStream out = server.getOutputStream();
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          Mode mode = take();
          if (mode == Mode.LOSE_REQUEST) {
            return;
          }
          // set before forwarding, so the reply cannot overtake it
          if (mode == Mode.LOSE_REPLY) {
            loseReply = true;
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side went away: close both
      } finally {
        close();
      }
    }

    private void forwardReplies() {
      byte[] buffer = new byte[BUFFER];
      try {
        InputStream in = server.getInputStream();
        OutputStream out = client.getOutputStream();
        for (int n = in.read(buffer); n >= 0 && !loseReply; n = in.read(buffer)) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side went away: close both
      } finally {
        close();
      }
    }

    void close() {
      closeQuietly(client);
      closeQuietly(server);
      pipes.remove(this);
    }
  }
}
