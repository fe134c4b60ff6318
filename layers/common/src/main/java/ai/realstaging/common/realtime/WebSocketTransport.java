package ai.realstaging.common.realtime;

import ai.realstaging.common.db.Database;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;

/**
 * API Gateway WebSocket: PostToConnection to each live connection of the user; a connection that
 * answers 410 Gone is closed for good, so its record is deleted.
 */
final class WebSocketTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketTransport.class);

    private final Database db;
    private final ApiGatewayManagementApiClient connections;

    WebSocketTransport(Database db, ApiGatewayManagementApiClient connections) {
        this.db = db;
        this.connections = connections;
    }

    @Override
    public String name() {
        return "websocket";
    }

    @Override
    public void send(UUID userId, String message) {
        List<String> ids = db.read(c -> Connections.live(c, userId));
        if (ids.isEmpty()) {
            return;
        }
        SdkBytes data = SdkBytes.fromUtf8String(message);
        int failed = 0;
        for (String id : ids) {
            try {
                connections.postToConnection(r -> r.connectionId(id).data(data));
            } catch (GoneException gone) {
                db.transaction(c -> Connections.remove(c, id));
                LOG.info("connection {} of user {} is gone; its record is deleted", id, userId);
            } catch (SdkException e) {
                // One broken connection must not cost the user's other clients their message.
                failed++;
                LOG.warn("post to connection {} of user {} failed: {}", id, userId, e.getClass().getSimpleName());
            }
        }
        if (failed == ids.size()) {
            throw new IllegalStateException("no connection of the user could be posted to");
        }
    }
}
