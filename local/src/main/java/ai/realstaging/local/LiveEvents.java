package ai.realstaging.local;

import ai.realstaging.common.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A client of the live events as a frontend holds one — the WebSocket API ({@code ?token=}) or the
 * event stream — keeping every message in arrival order with its arrival time. Used by the CLI, the
 * end-to-end tests and the benchmark.
 */
public final class LiveEvents implements AutoCloseable {
    /** A message and when it arrived (epoch ms). */
    public record Received(JsonNode message, long arrivedAtMillis) {
        public String type() {
            return message.path("type").asText();
        }
    }

    /** The server refused the connection with this HTTP status. */
    public static final class Refused extends IOException {
        private final int status;

        Refused(int status) {
            super("refused with HTTP " + status);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private volatile WebSocket socket;
    private volatile Stream<String> lines;
    private volatile String lastEventId;

    private LiveEvents() {}

    /** Connects to the WebSocket API as a browser would: the token as {@code ?token=}. */
    public static LiveEvents webSocket(HttpClient http, URI url, String token) throws IOException, InterruptedException {
        LiveEvents client = new LiveEvents();
        URI withToken = token == null ? url : URI.create(url + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
        try {
            client.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(withToken, client.new Listener()).get(15, TimeUnit.SECONDS);
            return client;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                throw new Refused(refused.getResponse().statusCode());
            }
            throw new IOException("WebSocket connection failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("WebSocket connection timed out", e);
        }
    }

    /**
     * Opens GET {api}/v1/events with these headers (Authorization, Last-Event-ID) and query (a ticket);
     * returns once the server answered 200.
     */
    public static LiveEvents eventStream(HttpClient http, URI api, Map<String, String> headers, String query)
            throws IOException, InterruptedException {
        LiveEvents client = new LiveEvents();
        HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve("/v1/events" + (query == null ? "" : "?" + query)))
                .header("Accept", "text/event-stream").GET();
        headers.forEach(request::header);
        HttpResponse<Stream<String>> response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            response.body().close();
            throw new Refused(response.statusCode());
        }
        client.lines = response.body();
        Thread.ofVirtual().name("sse-client").start(client::readEvents);
        return client;
    }

    /** The SSE format: "id:" and "data:" lines, a blank line ends an event, ":" lines are comments. */
    private void readEvents() {
        StringBuilder data = new StringBuilder();
        try {
            for (var it = lines.iterator(); it.hasNext(); ) {
                String line = it.next();
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        received.add(new Received(Json.read(data.toString()), System.currentTimeMillis()));
                        data.setLength(0);
                    }
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) data.append('\n');
                    data.append(line.substring(5).stripLeading());
                } else if (line.startsWith("id:")) {
                    lastEventId = line.substring(3).trim();
                }
            }
            closeCode.complete(1000);
        } catch (RuntimeException e) {
            closeCode.complete(1006);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence part, boolean last) {
            text.append(part);
            if (last) {
                long now = System.currentTimeMillis();
                received.add(new Received(Json.read(text.toString()), now));
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeCode.complete(1006);
        }
    }

    /** The next message, or null when none arrives in time. */
    public Received next(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next message that matches, skipping others; null when none arrives in time. */
    public Received next(Predicate<JsonNode> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return null;
            Received r = received.poll(left, TimeUnit.NANOSECONDS);
            if (r == null) return null;
            if (wanted.test(r.message())) return r;
        }
    }

    /** Sends a text message (WebSocket only) and waits until it is written. */
    public void send(String text) throws IOException {
        try {
            socket.sendText(text, true).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("send failed: " + e, e);
        }
    }

    /** The close code once the server closed the connection (1006 when it broke), or null in time. */
    public Integer awaitClose(Duration timeout) throws InterruptedException {
        try {
            return closeCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    /** The last SSE event id seen, to send back as Last-Event-ID on a reconnect. */
    public String lastEventId() {
        return lastEventId;
    }

    @Override
    public void close() {
        if (socket != null && !socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null);
        }
        if (lines != null) {
            lines.close();
        }
    }
}
