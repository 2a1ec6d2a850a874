package dev.flyteplugin.backend.agent;

import flyteidl.admin.AgentOuterClass.GetTaskLogsResponse;
import flyteidl.admin.AgentOuterClass.GetTaskLogsResponseBody;
import flyteidl.admin.AgentOuterClass.LogLine;
import flyteidl.admin.AgentOuterClass.LogLineOriginator;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams a log to a GetTaskLogs caller with bounded memory: at most {@code maxBytes} of the log
 * are read (then the stream is closed, which ends the API server's response), lines are split
 * without buffering more than one body ({@value #BODY_BYTES} bytes or {@value #BODY_LINES} lines),
 * and a body is sent only while the transport is ready ({@link ServerCallStreamObserver#isReady()},
 * woken by its on-ready handler), so a slow reader holds back the agent instead of filling its
 * heap. When the cap cuts the log, the last body's last line says so.
 */
final class LogStreamer {
  static final int BODY_LINES = 500;
  static final int BODY_BYTES = 64 * 1024;

  /** How long a caller that reads nothing may hold the stream open. */
  static final Duration STALL_LIMIT = Duration.ofSeconds(30);

  private final Object readySignal = new Object();

  /** Called by the transport's on-ready handler (set on the call's thread). */
  void onReady() {
    synchronized (readySignal) {
      readySignal.notifyAll();
    }
  }

  /**
   * Sends {@code in}'s lines as bodies; returns the number of log bytes sent.
   *
   * @throws IOException when reading the log fails
   * @throws io.grpc.StatusException CANCELLED when the caller went away, DEADLINE_EXCEEDED when it
   *     read nothing for {@link #STALL_LIMIT}
   */
  long stream(InputStream in, ServerCallStreamObserver<GetTaskLogsResponse> out, long maxBytes)
      throws IOException, io.grpc.StatusException, InterruptedException {
    byte[] buffer = new byte[8192];
    java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    List<String> lines = new ArrayList<>();
    int bodyBytes = 0;
    long read = 0;
    boolean truncated = false;
    while (true) {
      int want = (int) Math.min(buffer.length, maxBytes - read + 1); // +1: detect "more than cap"
      int n = want <= 0 ? -1 : in.read(buffer, 0, want);
      if (n < 0) {
        break;
      }
      if (read + n > maxBytes) {
        n = (int) (maxBytes - read);
        truncated = true;
      }
      read += n;
      for (int i = 0; i < n; i++) {
        byte b = buffer[i];
        if (b == '\n' || line.size() >= BODY_BYTES) {
          String text = line.toString(StandardCharsets.UTF_8);
          if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
          }
          lines.add(text);
          bodyBytes += line.size();
          line.reset();
          if (b != '\n') {
            line.write(b);
          }
          if (lines.size() >= BODY_LINES || bodyBytes >= BODY_BYTES) {
            send(out, lines);
            lines.clear();
            bodyBytes = 0;
          }
        } else {
          line.write(b);
        }
      }
      if (truncated) {
        break;
      }
    }
    if (line.size() > 0) {
      lines.add(line.toString(StandardCharsets.UTF_8));
    }
    if (truncated) {
      lines.add(
          "[flyte-agent: log cut at "
              + maxBytes
              + " bytes (--max-log-bytes / FLYTE_AGENT_MAX_LOG_BYTES); read the whole log through"
              + " the task's log links or kubectl logs]");
    }
    if (!lines.isEmpty()) {
      send(out, lines);
    }
    return read;
  }

  private void send(ServerCallStreamObserver<GetTaskLogsResponse> out, List<String> lines)
      throws io.grpc.StatusException, InterruptedException {
    long stallDeadline = System.nanoTime() + STALL_LIMIT.toNanos();
    synchronized (readySignal) {
      while (!out.isReady()) {
        if (out.isCancelled()) {
          throw Status.CANCELLED.withDescription("the caller went away").asException();
        }
        long left = stallDeadline - System.nanoTime();
        if (left <= 0) {
          throw Status.DEADLINE_EXCEEDED
              .withDescription("the caller read nothing for " + STALL_LIMIT)
              .asException();
        }
        // The on-ready handler wakes us; the timeout also notices a cancellation.
        readySignal.wait(Math.min(100, Math.max(1, left / 1_000_000)));
      }
    }
    GetTaskLogsResponseBody.Builder body = GetTaskLogsResponseBody.newBuilder();
    for (String text : lines) {
      body.addResults(text)
          .addStructuredLines(
              LogLine.newBuilder().setMessage(text).setOriginator(LogLineOriginator.USER));
    }
    out.onNext(GetTaskLogsResponse.newBuilder().setBody(body).build());
  }
}
