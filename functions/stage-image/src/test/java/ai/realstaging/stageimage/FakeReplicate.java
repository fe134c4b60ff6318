package ai.realstaging.stageimage;

import ai.realstaging.common.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for Replicate's predictions API on loopback: model-scoped create (answering at once,
 * as {@code Prefer: wait} does for a fast model), get by id, and the output file. Counts creates,
 * since a second create is a second bill. Not the local stack's stand-in: a test double.
 */
final class FakeReplicate implements AutoCloseable {

    /**
     * How predictions go: created with an HTTP status, then {@code polls} GETs of "processing" before
     * {@code finalStatus}. {@link #DROP} creates the prediction and closes the connection without an
     * answer; {@link #DROP_BEFORE_CREATE} closes it without creating anything.
     */
    record Script(int createStatus, int polls, String finalStatus) {}

    static final int DROP = -1;
    static final int DROP_BEFORE_CREATE = -2;

    private final HttpServer server;
    private final Map<String, AtomicInteger> pollsLeft = new ConcurrentHashMap<>();
    private final Map<String, String> finalStatus = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    final AtomicInteger creates = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger lists = new AtomicInteger();
    private final Map<String, JsonNode> inputs = new ConcurrentHashMap<>();
    private final List<String> order = new CopyOnWriteArrayList<>();
    final List<JsonNode> createBodies = new CopyOnWriteArrayList<>();
    final List<Map<String, String>> createHeaders = new CopyOnWriteArrayList<>();
    volatile Script script = new Script(201, 0, "succeeded");
    volatile byte[] output = new byte[0];

    FakeReplicate() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** A prediction that already exists, as one made by an earlier delivery. */
    void existing(String id, int polls, String status) {
        pollsLeft.put(id, new AtomicInteger(polls));
        finalStatus.put(id, status);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (method.equals("POST") && path.matches("/v1/models/[^/]+/[^/]+/predictions")) {
                create(exchange);
            } else if (method.equals("GET") && path.equals("/v1/predictions")) {
                list(exchange);
            } else if (method.equals("GET") && path.startsWith("/v1/predictions/")) {
                gets.incrementAndGet();
                String id = path.substring("/v1/predictions/".length());
                if (!finalStatus.containsKey(id)) {
                    send(exchange, 404, "{\"detail\": \"Not found.\"}");
                } else {
                    boolean running = pollsLeft.get(id).getAndDecrement() > 0;
                    send(exchange, 200, prediction(id, running ? "processing" : finalStatus.get(id)));
                }
            } else if (method.equals("GET") && path.startsWith("/files/")) {
                exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, output.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(output);
                }
            } else {
                send(exchange, 404, "{\"detail\": \"Not found.\"}");
            }
        }
    }

    private void create(HttpExchange exchange) throws IOException {
        creates.incrementAndGet();
        createBodies.add(Json.read(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.getFirst()));
        createHeaders.add(headers);
        Script s = script;
        if (s.createStatus() == DROP_BEFORE_CREATE) {
            return; // closed without a response
        }
        if (s.createStatus() != 201 && s.createStatus() != DROP) {
            send(exchange, s.createStatus(), "{\"title\": \"error\", \"detail\": \"scripted failure\"}");
            return;
        }
        String id = "pred" + ids.incrementAndGet() + "xyz";
        existing(id, s.polls(), s.finalStatus());
        inputs.put(id, createBodies.getLast().path("input"));
        order.add(id);
        if (s.createStatus() == DROP) {
            return; // made, but the answer is lost
        }
        boolean running = pollsLeft.get(id).getAndDecrement() > 0;
        send(exchange, 201, prediction(id, running ? "processing" : s.finalStatus()));
    }

    /** Newest first, one page, every prediction this fake made with its input, as Replicate's list answers. */
    private void list(HttpExchange exchange) throws IOException {
        lists.incrementAndGet();
        List<Object> results = new java.util.ArrayList<>();
        for (String id : order.reversed()) {
            Map<String, Object> p = new LinkedHashMap<>(Json.MAPPER.convertValue(Json.read(prediction(id,
                    pollsLeft.get(id).get() > 0 ? "processing" : finalStatus.get(id))),
                    Map.class));
            p.put("input", inputs.get(id));
            p.put("created_at", java.time.Instant.now().toString());
            results.add(p);
        }
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("next", null);
        page.put("previous", null);
        page.put("results", results);
        send(exchange, 200, Json.MAPPER.writeValueAsString(page));
    }

    private String prediction(String id, String status) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", id);
        p.put("model", "qwen/qwen-image-edit");
        p.put("status", status);
        p.put("output", status.equals("succeeded") ? List.of(baseUrl() + "/files/" + id + "/out-0.jpg") : null);
        p.put("error", status.equals("failed") ? "The model could not process this input" : null);
        p.put("metrics", status.equals("succeeded") ? Map.of("predict_time", 1.25) : Map.of());
        p.put("urls", Map.of("get", baseUrl() + "/v1/predictions/" + id, "cancel", baseUrl() + "/v1/predictions/" + id + "/cancel"));
        return Json.write(p);
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
