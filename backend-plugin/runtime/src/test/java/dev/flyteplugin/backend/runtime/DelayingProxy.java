package dev.flyteplugin.backend.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A TCP proxy on loopback in front of the mock API server, for faults the mock server cannot make:
 * answers that arrive late (each chunk from the server is held back {@link #delayMillis} ms, the
 * request itself reaches the server at once, so the server acts before the client hears about it)
 * and cut connections ({@link #cutAll()}, {@link #refuse(boolean)}).
 */
final class DelayingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile long delayMillis;
  private volatile long watchDelayMillis;
  private volatile boolean refusing;
  private volatile boolean closed;

  DelayingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "delaying-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String url() {
    return "http://127.0.0.1:" + listener.getLocalPort() + "/";
  }

  void delay(long millis) {
    delayMillis = millis;
  }

  /**
   * Holds back only what watch connections (requests with {@code watch=true}) receive: the cache
   * lags while direct calls are answered at once.
   */
  void delayWatches(long millis) {
    watchDelayMillis = millis;
  }

  /** While refusing, new connections are closed at once. */
  void refuse(boolean value) {
    refusing = value;
  }

  /** Closes every open connection (watches included). */
  void cutAll() {
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        if (refusing) {
          closeQuietly(client);
          continue;
        }
        Socket server = new Socket();
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
        sockets.add(client);
        sockets.add(server);
        java.util.concurrent.atomic.AtomicBoolean watch =
            new java.util.concurrent.atomic.AtomicBoolean();
        pump(client, server, false, watch);
        pump(server, client, true, watch);
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private record Chunk(long due, byte[] bytes) {}

  private void pump(
      Socket from, Socket to, boolean delayed, java.util.concurrent.atomic.AtomicBoolean watch)
      throws IOException {
    InputStream in = from.getInputStream();
    OutputStream out = to.getOutputStream();
    LinkedBlockingQueue<Chunk> line = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              byte[] buffer = new byte[16384];
              try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  if (!delayed
                      && new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1)
                          .contains("watch=true")) {
                    watch.set(true);
                  }
                  long hold = watch.get() ? watchDelayMillis : delayMillis;
                  long due = System.currentTimeMillis() + (delayed ? hold : 0);
                  line.put(new Chunk(due, Arrays.copyOf(buffer, n)));
                }
              } catch (IOException | InterruptedException e) {
                // connection gone
              }
              line.add(new Chunk(0, null));
            },
            "delaying-proxy-read");
    Thread writer =
        new Thread(
            () -> {
              try {
                while (true) {
                  Chunk chunk = line.take();
                  if (chunk.bytes() == null) {
                    break;
                  }
                  long wait = chunk.due() - System.currentTimeMillis();
                  if (wait > 0) {
                    Thread.sleep(wait);
                  }
                  out.write(chunk.bytes());
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // connection gone
              }
              closeQuietly(from);
              closeQuietly(to);
            },
            "delaying-proxy-write");
    reader.setDaemon(true);
    writer.setDaemon(true);
    reader.start();
    writer.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      // already closed
    }
    cutAll();
  }
}
