// integration: the SSE endpoint on its own JDK HTTP server, real PostgreSQL and Redis (DATABASE_URL / REDIS_URL or embedded), a JWKS over loopback HTTP (TestTokens)
package ai.realstaging.local;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.auth.TokenVerifier;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.http.Json;
import ai.realstaging.common.realtime.RedisChannels;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.common.testing.TestRedis;
import ai.realstaging.common.testing.TestTokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

class EventStreamIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final TestDatabase db = TestDatabase.shared();
    private final TestTokens tokens = new TestTokens();
    private HttpServer server;
    private EventStream events;
    private RedisFanout fanout;
    private RedisClient publisher;
    private URI base;

    @BeforeEach
    void start() throws Exception {
        TokenVerifier verifier = TokenVerifier.fromConfig(Config.of(Map.of("AUTH_ISSUER", TestTokens.ISSUER,
                "AUTH_AUDIENCE", TestTokens.AUDIENCE, "AUTH_JWKS_URL", tokens.jwksUrl())));
        fanout = new RedisFanout(TestRedis.url());
        events = new EventStream(verifier, db.newDatabase(), RedisClient.create(TestRedis.url()), fanout,
                Duration.ofMillis(300));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/events", events);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        publisher = RedisClient.create(TestRedis.url());
    }

    @AfterEach
    void stop() {
        server.stop(0);
        events.close();
        fanout.close();
        publisher.close();
        tokens.close();
    }

    private Stream<String> open(String token, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/v1/events"))
                .header("Authorization", "Bearer " + token);
        if (lastEventId != null) request.header("Last-Event-ID", lastEventId);
        HttpResponse<Stream<String>> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        return response.body();
    }

    private static String nextData(Iterator<String> lines) {
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("data: ")) return line.substring(6);
        }
        throw new AssertionError("stream ended");
    }

    @Test
    void theFirstEventIsReadyThenTheUsersMessagesThenHeartbeatsWhileQuiet() throws Exception {
        String sub = "auth0|sse-" + UUID.randomUUID();
        Instant before = Instant.now();
        try (Stream<String> stream = open(tokens.token(sub), null)) {
            Iterator<String> lines = stream.iterator();
            JsonNode ready = Json.read(nextData(lines));
            assertThat(ready.path("type").asText()).isEqualTo("ready");
            assertThat(Instant.parse(ready.path("since").asText()))
                    .isBetween(before.minus(EventStream.CLOCK_MARGIN).minusSeconds(1), Instant.now());

            UUID userId = UUID.fromString(db.queryString("SELECT id::text FROM users WHERE auth_sub = ?", sub));
            publisher.publish(RedisChannels.user(userId), "{\"type\":\"image.updated\",\"image\":{\"id\":\"x\"}}");
            assertThat(Json.read(nextData(lines)).path("type").asText()).isEqualTo("image.updated");

            long quietSince = System.nanoTime();
            String line;
            do {
                line = lines.next();
            } while (!line.startsWith(":"));
            assertThat(line).startsWith(": heartbeat");
            assertThat(Duration.ofNanos(System.nanoTime() - quietSince)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void aReconnectWithLastEventIdIsToldToCatchUpFromThatEvent() throws Exception {
        Instant lastEvent = Instant.now().minusSeconds(90);
        try (Stream<String> stream = open(tokens.token("auth0|back-" + UUID.randomUUID()),
                String.valueOf(lastEvent.toEpochMilli()))) {
            JsonNode ready = Json.read(nextData(stream.iterator()));

            assertThat(Instant.parse(ready.path("since").asText())).isEqualTo(lastEvent.minus(EventStream.CLOCK_MARGIN)
                    .truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        }
    }

    @Test
    void wrongMethodsAndPathsGetProblems() throws Exception {
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/events"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> getTickets = HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/events/tickets")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(getTickets.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }
}
