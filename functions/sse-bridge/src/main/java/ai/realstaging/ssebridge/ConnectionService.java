package ai.realstaging.ssebridge;

import ai.realstaging.common.auth.TokenVerifier;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.db.ConnectionFactory;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.UserDirectory;
import ai.realstaging.common.http.Json;
import ai.realstaging.common.realtime.Connections;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The WebSocket API's connections: who may connect, the record of who is connected, and pings. */
final class ConnectionService {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionService.class);

    private final Database db;
    private final TokenVerifier tokens;
    private final UserDirectory users = new UserDirectory();

    ConnectionService(Database db, TokenVerifier tokens) {
        this.db = db;
        this.tokens = tokens;
    }

    static ConnectionService create(Config config) {
        return new ConnectionService(new Database(ConnectionFactory.fromConfig(config)), TokenVerifier.fromConfig(config));
    }

    /**
     * Records the connection for the token's user (created on first sight, as the HTTP API does) and
     * removes a batch of connections past API Gateway's 2-hour limit; empty when the token is not valid.
     */
    Optional<UUID> connect(String connectionId, String token, Instant connectedAt) {
        Optional<TokenVerifier.Verified> verified = tokens.verify(token);
        if (verified.isEmpty()) {
            return Optional.empty();
        }
        var identity = verified.get().identity();
        record Opened(UUID userId, int swept) {}
        // One transaction: a connection is never left recorded for a $connect that answered an error.
        Opened opened = db.transaction(c -> {
            UUID id = users.resolve(c, identity.subject(), identity.email());
            Connections.record(c, connectionId, id, connectedAt);
            return new Opened(id, Connections.sweepExpired(c, Connections.SWEEP_BATCH));
        });
        LOG.info("connection {} opened for user {}{}", connectionId, opened.userId(),
                opened.swept() > 0 ? "; " + opened.swept() + " expired removed" : "");
        return Optional.of(opened.userId());
    }

    void disconnect(String connectionId) {
        boolean known = db.transaction(c -> Connections.remove(c, connectionId));
        LOG.info("connection {} closed{}", connectionId, known ? "" : " (no record)");
    }

    /** The answer to a client message: a pong for {"action":"ping"}, a polite error for anything else. */
    String answer(String body) {
        String action = null;
        try {
            JsonNode message = body == null ? null : Json.read(body);
            if (message != null && message.path("action").isTextual()) {
                action = message.path("action").asText();
            }
        } catch (RuntimeException notJson) {
            // answered below like any message without an action
        }
        if ("ping".equals(action)) {
            // The server's time: a client reconnecting asks GET …/originals?updated_since= from its last event.
            return Json.write(Map.of("type", "pong", "time", Instant.now().toString()));
        }
        return Json.write(Map.of("type", "error", "error", Map.of(
                "code", action == null ? "no_action" : "unknown_action",
                "message", "This connection only sends events. Send {\"action\":\"ping\"} to check it is alive.")));
    }
}
