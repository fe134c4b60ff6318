package ai.realstaging.local;

import ai.realstaging.common.http.Json;
import ai.realstaging.local.template.WebSocketApiDef;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The local WebSocket API with API Gateway's semantics, built from template.yaml's WebSocket API:
 * {@code ws://host:port/{stage}?token=…}; the $connect function decides the handshake (its status is
 * what the client sees); a message is routed on its {@code action} (else $default) and the function's
 * answer is sent back where the template has a route response; $disconnect follows a close; and
 * {@code /{stage}/@connections/{id}} (POST, GET, DELETE) is where the publisher's SDK client posts.
 * API Gateway's limits hold: 128 KB messages (close 1009), 32 KB frames, 10 min idle, 2 h per connection.
 */
public final class WebSocketApi implements AutoCloseable {
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);
    static final Duration MAX_LIFETIME = Duration.ofHours(2);
    static final int MAX_MESSAGE_BYTES = 128 * 1024;
    static final int MAX_FRAME_BYTES = 32 * 1024;
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An open connection as API Gateway tracks it. */
    private record Live(Session session, Instant connectedAt, String sourceIp, String userAgent, AtomicLong lastActive,
                        ScheduledFuture<?> expiry) {}

    private final WebSocketApiDef api;
    private final Function<String, FunctionPool> functions;
    private final Server server;
    private final ServerConnector connector;
    private final Map<String, Live> connections = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("ws-lifetime").factory());

    private final String jwks;

    /**
     * {@code functions} is asked at each invocation, so the stack may create them after this binds.
     * {@code jwks}, when given, is the local issuer's key set, served at /.well-known/jwks.json for the
     * functions that check tokens themselves (in AWS they fetch it from the issuer).
     */
    WebSocketApi(String host, int port, WebSocketApiDef api, Function<String, FunctionPool> functions,
                 Map<String, Object> jwks) {
        this.api = api;
        this.functions = functions;
        this.jwks = jwks == null ? null : Json.write(jwks);
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("ws-api");
        // Handlers block on function invocations; virtual threads make that cheap.
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        this.server = new Server(threads);
        this.connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        WebSocketUpgradeHandler upgrades = WebSocketUpgradeHandler.from(server, container -> {
            container.setIdleTimeout(IDLE_TIMEOUT);
            container.setMaxTextMessageSize(MAX_MESSAGE_BYTES);
            container.setMaxBinaryMessageSize(MAX_MESSAGE_BYTES);
            container.setMaxFrameSize(MAX_FRAME_BYTES);
            container.addMapping("/" + api.stageName(), (request, response, callback) -> connect(request, response, callback));
        });
        upgrades.setHandler(new ConnectionsEndpoint());
        server.setHandler(upgrades);
    }

    WebSocketApi start() throws Exception {
        try {
            server.start();
            return this;
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** True when starting failed because the port is taken. */
    static boolean portTaken(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) return true;
        }
        return false;
    }

    /** ws://host:port/{stage}: where clients connect. */
    URI url() {
        return URI.create("ws://" + hostPort() + "/" + api.stageName());
    }

    /** Where this server serves the local issuer's JWKS. */
    URI jwksUrl() {
        return URI.create("http://" + hostPort() + "/.well-known/jwks.json");
    }

    /** http://host:port/{stage}: the callback URL; the SDK appends /@connections/{id}. */
    URI callbackUrl() {
        return URI.create("http://" + hostPort() + "/" + api.stageName());
    }

    private String hostPort() {
        String host = connector.getHost() == null ? "127.0.0.1" : connector.getHost();
        return host + ":" + connector.getLocalPort();
    }

    // ------------------------------------------------------------------ $connect, messages, $disconnect

    private Object connect(ServerUpgradeRequest request, org.eclipse.jetty.websocket.server.ServerUpgradeResponse response,
                           Callback callback) {
        String id = connectionId();
        Instant connectedAt = Instant.now();
        String sourceIp = Request.getRemoteAddr(request);
        String userAgent = request.getHeaders().get("User-Agent");
        Optional<WebSocketApiDef.Route> route = api.route("$connect");
        if (route.isPresent()) {
            APIGatewayV2WebSocketEvent event = event(route.get().routeKey(), "CONNECT", id, connectedAt, sourceIp, userAgent);
            Map<String, String> headers = new LinkedHashMap<>();
            Map<String, List<String>> multiHeaders = new LinkedHashMap<>();
            for (HttpField field : request.getHeaders()) {
                headers.merge(field.getName(), field.getValue(), (a, b) -> a + "," + b);
                multiHeaders.computeIfAbsent(field.getName(), k -> new java.util.ArrayList<>()).add(field.getValue());
            }
            event.setHeaders(headers);
            event.setMultiValueHeaders(multiHeaders);
            Fields query = Request.extractQueryParameters(request);
            if (query.getSize() > 0) {
                Map<String, String> single = new LinkedHashMap<>();
                Map<String, List<String>> multi = new LinkedHashMap<>();
                for (Fields.Field field : query) {
                    single.put(field.getName(), field.getValues().getLast());
                    multi.put(field.getName(), List.copyOf(field.getValues()));
                }
                event.setQueryStringParameters(single);
                event.setMultiValueQueryStringParameters(multi);
            }
            int status = invoke(route.get(), event).map(APIGatewayV2WebSocketResponse::getStatusCode).orElse(500);
            if (status < 200 || status > 299) {
                // API Gateway refuses the handshake with the $connect function's status. Written here,
                // not with Response.writeError, which logs the request URL (and so the token).
                response.setStatus(status);
                response.getHeaders().put("Content-Type", "application/json");
                Content.Sink.write(response, true, "{\"message\":\"" + (status == 401 ? "Unauthorized"
                        : status == 403 ? "Forbidden" : "Internal server error") + "\"}", callback);
                return null;
            }
        }
        return new Endpoint(id, connectedAt, sourceIp, userAgent);
    }

    /** One client connection; Jetty calls it on its own threads (through method handles: it must be public). */
    public final class Endpoint extends Session.Listener.AbstractAutoDemanding {
        private final String id;
        private final Instant connectedAt;
        private final String sourceIp;
        private final String userAgent;

        private Endpoint(String id, Instant connectedAt, String sourceIp, String userAgent) {
            this.id = id;
            this.connectedAt = connectedAt;
            this.sourceIp = sourceIp;
            this.userAgent = userAgent;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            super.onWebSocketOpen(session);
            long untilExpiry = Duration.between(Instant.now(), connectedAt.plus(MAX_LIFETIME)).toMillis();
            ScheduledFuture<?> expiry = timers.schedule(() -> session.close(StatusCode.SHUTDOWN, "Going away",
                    org.eclipse.jetty.websocket.api.Callback.NOOP), untilExpiry, TimeUnit.MILLISECONDS);
            connections.put(id, new Live(session, connectedAt, sourceIp, userAgent,
                    new AtomicLong(System.currentTimeMillis()), expiry));
        }

        @Override
        public void onWebSocketText(String message) {
            Live live = connections.get(id);
            if (live != null) live.lastActive().set(System.currentTimeMillis());
            String key = selectRoute(message);
            Optional<WebSocketApiDef.Route> route = api.route(key).or(() -> api.route("$default"));
            Session session = getSession();
            if (route.isEmpty()) {
                session.sendText(Json.write(Map.of("message", "Forbidden", "connectionId", id,
                        "requestId", RequestIds.next())), org.eclipse.jetty.websocket.api.Callback.NOOP);
                return;
            }
            APIGatewayV2WebSocketEvent event = event(route.get().routeKey(), "MESSAGE", id, connectedAt, sourceIp, userAgent);
            event.getRequestContext().setMessageId(RequestIds.next());
            event.setBody(message);
            Optional<APIGatewayV2WebSocketResponse> answer = invoke(route.get(), event);
            if (route.get().returnsResponse() && answer.isPresent() && answer.get().getBody() != null && session.isOpen()) {
                session.sendText(answer.get().getBody(), org.eclipse.jetty.websocket.api.Callback.NOOP);
            }
        }

        /** A message over the limit, a broken socket: the connection closes and $disconnect follows. */
        @Override
        public void onWebSocketError(Throwable cause) {
            // Jetty has already chosen the close code (1009 for a message too large); nothing to add.
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            Live live = connections.remove(id);
            if (live != null) live.expiry().cancel(false);
            api.route("$disconnect").ifPresent(route -> Thread.ofVirtual().name("ws-disconnect").start(() ->
                    invoke(route, event(route.routeKey(), "DISCONNECT", id, connectedAt, sourceIp, userAgent))));
        }
    }

    /** API Gateway's route selection for "$request.body.<path>": the value there, when it is text. */
    private String selectRoute(String message) {
        String expression = api.routeSelectionExpression();
        if (!expression.startsWith("$request.body.")) {
            return "$default";
        }
        try {
            JsonNode node = Json.read(message);
            for (String part : expression.substring("$request.body.".length()).split("\\.")) {
                node = node.path(part);
            }
            return node.isTextual() ? node.asText() : "$default";
        } catch (RuntimeException notJson) {
            return "$default";
        }
    }

    private Optional<APIGatewayV2WebSocketResponse> invoke(WebSocketApiDef.Route route, APIGatewayV2WebSocketEvent event) {
        try {
            return Optional.ofNullable((APIGatewayV2WebSocketResponse) functions.apply(route.functionLogicalId()).invoke(event));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (RuntimeException e) {
            System.err.println("[websocket] " + route.routeKey() + " -> " + route.functionLogicalId() + " failed: " + e);
            return Optional.empty();
        }
    }

    private APIGatewayV2WebSocketEvent event(String routeKey, String type, String connectionId, Instant connectedAt,
                                             String sourceIp, String userAgent) {
        Instant now = Instant.now();
        APIGatewayV2WebSocketEvent.RequestIdentity identity = new APIGatewayV2WebSocketEvent.RequestIdentity();
        identity.setSourceIp(sourceIp);
        identity.setUserAgent(userAgent);
        APIGatewayV2WebSocketEvent.RequestContext context = new APIGatewayV2WebSocketEvent.RequestContext();
        String requestId = RequestIds.next();
        context.setRouteKey(routeKey);
        context.setEventType(type);
        context.setExtendedRequestId(requestId);
        context.setRequestId(requestId);
        context.setRequestTime(REQUEST_TIME.format(now));
        context.setRequestTimeEpoch(now.toEpochMilli());
        context.setMessageDirection("IN");
        context.setStage(api.stageName());
        context.setConnectedAt(connectedAt.toEpochMilli());
        context.setIdentity(identity);
        context.setDomainName(hostPort());
        context.setConnectionId(connectionId);
        context.setApiId("local");
        APIGatewayV2WebSocketEvent event = new APIGatewayV2WebSocketEvent();
        event.setRequestContext(context);
        event.setIsBase64Encoded(false);
        return event;
    }

    /** Shaped like API Gateway's: 11 random bytes in URL-safe base64 ("CZmQfcYKoAMCIsg="), safe in a path. */
    private static String connectionId() {
        byte[] bytes = new byte[11];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().encodeToString(bytes);
    }

    // ------------------------------------------------------------------ @connections

    /**
     * The management API: POST sends a message, GET describes the connection, DELETE closes it; an
     * unknown or closed connection is 410 GoneException, as API Gateway answers. Requests must carry
     * a SigV4 Authorization for execute-api (the signature itself is not checked locally).
     */
    private final class ConnectionsEndpoint extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String prefix = "/" + api.stageName() + "/@connections/";
            String path = request.getHttpURI().getPath();
            if (jwks != null && "/.well-known/jwks.json".equals(path)) {
                return reply(response, callback, 200, null, jwks);
            }
            if (path == null || !path.startsWith(prefix)) {
                return reply(response, callback, 404, null, "{\"message\":\"Not Found\"}");
            }
            String authorization = request.getHeaders().get("Authorization");
            if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 ")
                    || !authorization.contains("/execute-api/aws4_request")) {
                return reply(response, callback, 403, "ForbiddenException", "{\"message\":\"Forbidden\"}");
            }
            String id = URLDecoder.decode(path.substring(prefix.length()), StandardCharsets.UTF_8);
            Live live = connections.get(id);
            if (live == null || !live.session().isOpen()) {
                return reply(response, callback, 410, "GoneException", "{\"message\":null}");
            }
            switch (request.getMethod()) {
                case "POST" -> {
                    byte[] body = Content.Source.asInputStream(request).readNBytes(MAX_MESSAGE_BYTES + 1);
                    if (body.length > MAX_MESSAGE_BYTES) {
                        return reply(response, callback, 413, "PayloadTooLargeException", "{\"message\":\"Payload too large\"}");
                    }
                    var sent = new org.eclipse.jetty.websocket.api.Callback.Completable();
                    live.session().sendText(new String(body, StandardCharsets.UTF_8), sent);
                    try {
                        sent.get(5, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        return reply(response, callback, 410, "GoneException", "{\"message\":null}");
                    }
                    return reply(response, callback, 200, null, null);
                }
                case "GET" -> {
                    Map<String, Object> info = new LinkedHashMap<>();
                    info.put("ConnectedAt", live.connectedAt().toString());
                    Map<String, String> identity = new LinkedHashMap<>();
                    identity.put("SourceIp", live.sourceIp());
                    if (live.userAgent() != null) identity.put("UserAgent", live.userAgent());
                    info.put("Identity", identity);
                    info.put("LastActiveAt", Instant.ofEpochMilli(live.lastActive().get()).toString());
                    return reply(response, callback, 200, null, Json.MAPPER.writeValueAsString(info));
                }
                case "DELETE" -> {
                    live.session().close(StatusCode.NORMAL, "Closed by the server",
                            org.eclipse.jetty.websocket.api.Callback.NOOP);
                    return reply(response, callback, 204, null, null);
                }
                default -> {
                    return reply(response, callback, 405, null, "{\"message\":\"Method Not Allowed\"}");
                }
            }
        }

        private boolean reply(Response response, Callback callback, int status, String errorType, String json) {
            response.setStatus(status);
            if (errorType != null) response.getHeaders().put("x-amzn-ErrorType", errorType);
            if (json == null) {
                callback.succeeded();
                return true;
            }
            response.getHeaders().put("Content-Type", "application/json");
            Content.Sink.write(response, true, json, callback);
            return true;
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            System.err.println("[websocket] while stopping: " + e.getMessage());
        }
        timers.shutdownNow();
    }

}
