package ai.realstaging.local;

import ai.realstaging.common.auth.TokenVerifier;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.UserDirectory;
import ai.realstaging.common.http.Json;
import ai.realstaging.common.http.Responses;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/**
 * The local stack's Server-Sent Events, fed by Redis pub/sub (local only: an HTTP API integration
 * cannot stream). {@code GET /v1/events} is authorised by {@code Authorization: Bearer} or by a
 * single-use ticket from {@code POST /v1/events/tickets} (a browser's EventSource cannot send headers,
 * and a long-lived token never goes in a URL). The first event, {@code {"type":"ready","since":T}},
 * says from when on the stream is complete (T is the Last-Event-ID's time on a reconnect); a client
 * fetches what changed before with {@code updated_since}. A comment line every heartbeat keeps
 * proxies from closing an idle stream.
 */
final class EventStream implements HttpHandler, AutoCloseable {
    static final Duration TICKET_TTL = Duration.ofSeconds(30);
    /** Changes are stamped by PostgreSQL's clock, "since" by this one: a margin covers the difference. */
    static final Duration CLOCK_MARGIN = Duration.ofSeconds(2);
    private static final String TICKET_PREFIX = "realstaging:events:ticket:";
    private static final String END = "\u0000end";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TokenVerifier tokens;
    private final Database db;
    private final UserDirectory users = new UserDirectory();
    private final RedisClient redis;
    private final RedisFanout fanout;
    private final Duration heartbeat;

    EventStream(TokenVerifier tokens, Database db, RedisClient redis, RedisFanout fanout, Duration heartbeat) {
        this.tokens = tokens;
        this.db = db;
        this.redis = redis;
        this.fanout = fanout;
        this.heartbeat = heartbeat;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/v1/events/tickets")) {
                if (!method.equals("POST")) problem(exchange, 405, "method-not-allowed", "Method not allowed", "Use POST");
                else ticket(exchange);
            } else if (path.equals("/v1/events")) {
                if (!method.equals("GET")) problem(exchange, 405, "method-not-allowed", "Method not allowed", "Use GET");
                else stream(exchange);
            } else {
                problem(exchange, 404, "not-found", "Not found", "No such path");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A ticket for one GET /v1/events within 30 s; stored only as its SHA-256. */
    private void ticket(HttpExchange exchange) throws IOException {
        Optional<UUID> user = bearer(exchange);
        if (user.isEmpty()) {
            unauthorized(exchange, "A valid bearer token is required");
            return;
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        redis.set(TICKET_PREFIX + sha256(ticket), user.get().toString(), SetParams.setParams().ex(TICKET_TTL.toSeconds()).nx());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ticket", ticket);
        body.put("expires_at", Instant.now().plus(TICKET_TTL));
        send(exchange, 201, "application/json", Json.write(body));
    }

    private void stream(HttpExchange exchange) throws IOException, InterruptedException {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        Optional<UUID> user;
        if (query.containsKey("token") || query.containsKey("access_token")) {
            // Never accepted: URLs end up in logs and browser history.
            unauthorized(exchange, "Tokens are not accepted in the URL; send Authorization: Bearer, or use a ticket "
                    + "from POST /v1/events/tickets");
            return;
        } else if (query.containsKey("ticket")) {
            String owner = redis.getDel(TICKET_PREFIX + sha256(query.get("ticket")));
            user = Optional.ofNullable(owner).map(UUID::fromString);
            if (user.isEmpty()) {
                unauthorized(exchange, "The ticket is unknown, used or expired; ask for a new one");
                return;
            }
        } else {
            user = bearer(exchange);
            if (user.isEmpty()) {
                unauthorized(exchange, "A valid bearer token or ticket is required");
                return;
            }
        }

        BlockingQueue<String> queue = new LinkedBlockingQueue<>(10_000);
        AutoCloseable subscription = fanout.listen(user.get(), message -> {
            if (!queue.offer(message == null ? END : message)) {
                // A client this far behind catches up with updated_since after reconnecting.
                queue.clear();
                queue.offer(END);
            }
        });
        try {
            Instant since = lastEventTime(exchange).orElse(Instant.now()).minus(CLOCK_MARGIN);
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            write(out, "retry: 3000\nid: " + Instant.now().toEpochMilli() + "\ndata: "
                    + Json.write(Map.of("type", "ready", "since", since)) + "\n\n");
            while (true) {
                String message = queue.poll(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
                if (message == null) {
                    write(out, ": heartbeat " + Instant.now() + "\n\n");
                } else if (message.equals(END)) {
                    return;
                } else {
                    // The id is the delivery time: sent back as Last-Event-ID, it says where to catch up from.
                    write(out, "id: " + Instant.now().toEpochMilli() + "\ndata: " + message + "\n\n");
                }
            }
        } catch (IOException clientGone) {
            // the client closed the stream
        } finally {
            try {
                subscription.close();
            } catch (Exception ignored) {
                // unsubscribing from a lost connection
            }
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Last-Event-ID (sent by EventSource on its own reconnects, or by a client that kept it): a time in ms. */
    private static Optional<Instant> lastEventTime(HttpExchange exchange) {
        String id = exchange.getRequestHeaders().getFirst("Last-Event-ID");
        try {
            return id == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(Long.parseLong(id.trim())))
                    .filter(t -> t.isBefore(Instant.now().plusSeconds(1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private Optional<UUID> bearer(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return tokens.verify(header.substring(7)).map(v ->
                db.transaction(c -> users.resolve(c, v.identity().subject(), v.identity().email())));
    }

    private static void unauthorized(HttpExchange exchange, String detail) throws IOException {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        problem(exchange, 401, "unauthorized", "Authentication required", detail);
    }

    private static void problem(HttpExchange exchange, int status, String type, String title, String detail)
            throws IOException {
        APIGatewayV2HTTPResponse problem = Responses.problem(status, type, title, detail, List.of(), null);
        send(exchange, status, "application/problem+json", problem.getBody());
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return query;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            query.put(key, eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return query;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        redis.close();
    }
}
