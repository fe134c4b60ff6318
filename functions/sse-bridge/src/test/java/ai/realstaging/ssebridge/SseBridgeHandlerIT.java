// integration: real PostgreSQL (DATABASE_URL or embedded) and a JWKS served over loopback HTTP (TestTokens); the events/websocket fixtures
package ai.realstaging.ssebridge;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.config.Config;
import ai.realstaging.common.http.Json;
import ai.realstaging.common.testing.Events;
import ai.realstaging.common.testing.TestContext;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.common.testing.TestTokens;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SseBridgeHandlerIT {
    private final TestDatabase db = TestDatabase.shared();
    private final TestTokens tokens = new TestTokens();
    // Wired from configuration exactly as the deployed function is.
    private final SseBridgeHandler handler = new SseBridgeHandler(Config.of(Map.of(
            "DATABASE_URL", db.databaseUrlSetting(),
            "AUTH_ISSUER", TestTokens.ISSUER,
            "AUTH_AUDIENCE", TestTokens.AUDIENCE,
            "AUTH_JWKS_URL", tokens.jwksUrl())));

    @AfterEach
    void stop() {
        tokens.close();
    }

    private static APIGatewayV2WebSocketEvent connect(String connectionId, String token) {
        APIGatewayV2WebSocketEvent event = Events.webSocket("websocket/websocket_connect.json");
        event.getRequestContext().setConnectionId(connectionId);
        event.getRequestContext().setConnectedAt(Instant.now().toEpochMilli());
        event.setQueryStringParameters(token == null ? null : Map.of("token", token));
        event.setMultiValueQueryStringParameters(token == null ? null : Map.of("token", List.of(token)));
        return event;
    }

    private APIGatewayV2WebSocketResponse invoke(APIGatewayV2WebSocketEvent event) {
        return handler.handleRequest(event, new TestContext());
    }

    private long rows(String connectionId) {
        return db.queryLong("SELECT count(*) FROM connections WHERE connection_id = ?", connectionId);
    }

    private static String newConnectionId() {
        return UUID.randomUUID().toString().substring(0, 16).replace('-', 'x') + "=";
    }

    @Test
    void aValidTokenConnectsAndRecordsTheConnectionForItsUserForTwoHours() {
        String sub = "auth0|ws-" + UUID.randomUUID();
        String id = newConnectionId();

        APIGatewayV2WebSocketResponse response = invoke(connect(id, tokens.token(sub)));

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(db.queryString("SELECT u.auth_sub FROM connections c JOIN users u ON u.id = c.user_id "
                + "WHERE c.connection_id = ?", id)).isEqualTo(sub);
        long lifetime = db.queryLong("SELECT extract(epoch FROM expires_at - connected_at)::bigint FROM connections "
                + "WHERE connection_id = ?", id);
        assertThat(lifetime).isEqualTo(Duration.ofHours(2).toSeconds());
    }

    @Test
    void missingBadAndExpiredTokensAreRefusedWith401AndRecordNothing() {
        List<String> bad = java.util.Arrays.asList(null, "not-a-jwt",
                tokens.sign(tokens.base("auth0|late").withExpiresAt(Instant.now().minusSeconds(60))),
                tokens.sign(tokens.base("auth0|elsewhere").withExpiresAt(Instant.now().plusSeconds(600))
                        .withIssuer("https://evil.example/")),
                tokens.signWithStrangerKey(tokens.base("auth0|forged").withExpiresAt(Instant.now().plusSeconds(600))));

        for (String token : bad) {
            String id = newConnectionId();
            APIGatewayV2WebSocketResponse response = invoke(connect(id, token));
            assertThat(response.getStatusCode()).as(String.valueOf(token)).isEqualTo(401);
            assertThat(rows(id)).isZero();
        }
    }

    @Test
    void disconnectRemovesTheRecord() {
        String id = newConnectionId();
        assertThat(invoke(connect(id, tokens.token("auth0|leaver"))).getStatusCode()).isEqualTo(200);

        APIGatewayV2WebSocketEvent disconnect = Events.webSocket("websocket/websocket_disconnect.json");
        disconnect.getRequestContext().setConnectionId(id);

        assertThat(invoke(disconnect).getStatusCode()).isEqualTo(200);
        assertThat(rows(id)).isZero();
        // A second $disconnect (API Gateway delivers at least once) finds nothing and still succeeds.
        assertThat(invoke(disconnect).getStatusCode()).isEqualTo(200);
    }

    @Test
    void aPingIsAnsweredWithAPongCarryingTheServerTime() {
        Instant before = Instant.now();
        APIGatewayV2WebSocketResponse response = invoke(Events.webSocket("websocket/websocket_ping.json"));

        JsonNode body = Json.read(response.getBody());
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(body.path("type").asText()).isEqualTo("pong");
        assertThat(Instant.parse(body.path("time").asText())).isBetween(before, Instant.now());
    }

    @Test
    void unknownActionsAndNonJsonGetAPoliteErrorAndKeepTheConnection() {
        for (String message : List.of("{\"action\":\"subscribe\",\"project\":\"x\"}", "hello", "{}")) {
            APIGatewayV2WebSocketEvent event = Events.webSocket("websocket/websocket_ping.json");
            event.setBody(message);

            APIGatewayV2WebSocketResponse response = invoke(event);

            JsonNode body = Json.read(response.getBody());
            assertThat(response.getStatusCode()).isEqualTo(200);
            assertThat(body.path("type").asText()).isEqualTo("error");
            assertThat(body.path("error").path("code").asText()).isIn("unknown_action", "no_action");
            assertThat(body.path("error").path("message").asText()).contains("ping");
        }
    }

    @Test
    void connectingSweepsConnectionsPastTheTwoHourLimit() {
        TestDatabase.TestUser someone = db.createUser();
        String stale = newConnectionId();
        db.update("INSERT INTO connections (connection_id, user_id, connected_at, expires_at) VALUES (?, ?, ?, ?)",
                stale, someone.id(), Instant.now().minus(Duration.ofHours(3)), Instant.now().minus(Duration.ofHours(1)));

        assertThat(invoke(connect(newConnectionId(), tokens.token("auth0|sweeper"))).getStatusCode()).isEqualTo(200);

        assertThat(rows(stale)).isZero();
    }

    @Test
    void primingAnswersWithoutTouchingTheDatabase() {
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        ai.realstaging.common.db.Database refusing = new ai.realstaging.common.db.Database(() -> {
            attempts.incrementAndGet();
            throw new java.sql.SQLException("no database during priming");
        });
        SseBridgeHandler primed = new SseBridgeHandler(new ConnectionService(refusing,
                ai.realstaging.common.auth.TokenVerifier.fromConfig(Config.of(Map.of("AUTH_ISSUER", TestTokens.ISSUER,
                        "AUTH_AUDIENCE", TestTokens.AUDIENCE, "AUTH_JWKS_URL", tokens.jwksUrl())))));

        int[] statuses = new SseBridgePriming(primed).prime();

        assertThat(statuses).containsExactly(200, 401);
        assertThat(attempts).hasValue(0);
        assertThat(tokens.jwksFetches()).isZero();
    }
}
