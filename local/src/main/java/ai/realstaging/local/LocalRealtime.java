package ai.realstaging.local;

import ai.realstaging.common.auth.TokenVerifier;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.db.ConnectionFactory;
import ai.realstaging.common.db.Database;
import ai.realstaging.local.template.SamTemplate;
import ai.realstaging.local.template.WebSocketApiDef;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import redis.clients.jedis.RedisClient;

/**
 * Real-time pieces of the local stack: Redis (REDIS_URL or embedded), the WebSocket API of
 * template.yaml, and the Server-Sent Events stream on the gateway; plus the settings that make the
 * functions publish to both (REALTIME_TRANSPORT=websocket,redis).
 */
final class LocalRealtime implements AutoCloseable {
    /** SSE comment line interval; EVENTS_HEARTBEAT_SECONDS changes it. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final Closer resources = new Closer();
    private LocalRedis redis;
    private WebSocketApi webSocket;
    private EventStream events;

    private LocalRealtime() {}

    /** Starts Redis and binds the WebSocket API (its functions are looked up per invocation). */
    static LocalRealtime start(SamTemplate template, String host, int webSocketPort, Map<String, Object> jwks,
                               Function<String, FunctionPool> functions) throws IOException {
        LocalRealtime realtime = new LocalRealtime();
        try {
            realtime.redis = realtime.track(LocalRedis.start(System.getenv("REDIS_URL")));
            List<WebSocketApiDef> apis = WebSocketApiDef.all(template);
            if (!apis.isEmpty()) {
                WebSocketApi api;
                try {
                    api = new WebSocketApi(host, webSocketPort, apis.getFirst(), functions, jwks).start();
                } catch (Exception e) {
                    if (webSocketPort == 0 || !WebSocketApi.portTaken(e)) throw e;
                    // The port next to the HTTP API is busy: any free one (`up` prints where).
                    api = new WebSocketApi(host, 0, apis.getFirst(), functions, jwks).start();
                }
                realtime.webSocket = realtime.track(api);
            }
            return realtime;
        } catch (Exception e) {
            realtime.close();
            throw e instanceof IOException io ? io : new IOException("the real-time services could not start: " + e, e);
        }
    }

    /** What every function gets: publish over both transports, verify tokens against the local issuer. */
    Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("REDIS_URL", redis.url().toString());
        settings.put("REALTIME_TRANSPORT", webSocket == null ? "redis" : "websocket,redis");
        settings.put("AUTH_ISSUER", TokenIssuer.ISSUER);
        settings.put("AUTH_AUDIENCE", TokenIssuer.AUDIENCE);
        if (webSocket != null) {
            settings.put("WEBSOCKET_CALLBACK_URL", webSocket.callbackUrl().toString());
            settings.put("AUTH_JWKS_URL", webSocket.jwksUrl().toString());
        }
        return settings;
    }

    /** GET /v1/events and POST /v1/events/tickets on the gateway (local-only routes). */
    void mountEventStream(Gateway gateway, Config config, URI jwksUrl) throws InterruptedException {
        Config withJwks = config.with(Map.of("AUTH_JWKS_URL", jwksUrl.toString()));
        RedisFanout fanout = track(new RedisFanout(redis.url()));
        String seconds = System.getenv("EVENTS_HEARTBEAT_SECONDS");
        Duration heartbeat = seconds == null || seconds.isBlank() ? HEARTBEAT : Duration.ofSeconds(Long.parseLong(seconds.trim()));
        Database db = new Database(ConnectionFactory.fromConfig(config));
        track(db::close);
        events = track(new EventStream(TokenVerifier.fromConfig(withJwks), db, RedisClient.create(redis.url()), fanout,
                heartbeat));
        gateway.mount("/v1/events", events);
    }

    /** ws://host:port/ws, or null when the template has no WebSocket API. */
    URI webSocketUrl() {
        return webSocket == null ? null : webSocket.url();
    }

    URI redisUrl() {
        return redis.url();
    }

    boolean embeddedRedis() {
        return redis.embedded();
    }

    private <T extends AutoCloseable> T track(T resource) {
        return resources.track(resource);
    }

    @Override
    public void close() {
        resources.close();
    }
}
