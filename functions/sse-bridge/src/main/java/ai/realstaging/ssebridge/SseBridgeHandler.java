package ai.realstaging.ssebridge;

import ai.realstaging.common.config.Config;
import ai.realstaging.common.db.DatabaseException;
import ai.realstaging.common.observability.Observability;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketResponse;
import java.time.Instant;
import java.util.Map;
import org.crac.Core;

/**
 * WebSocket API entry point: $connect checks the token given as {@code ?token=} and records the
 * connection (a refusal is the HTTP status the client sees), $disconnect forgets it, $default
 * answers pings. Events themselves are posted by the publisher, not from here.
 */
public final class SseBridgeHandler implements RequestHandler<APIGatewayV2WebSocketEvent, APIGatewayV2WebSocketResponse> {
    private final ConnectionService connections;
    private final SseBridgePriming priming;

    public SseBridgeHandler() {
        this(Config.fromEnvironment());
    }

    public SseBridgeHandler(Config config) {
        this(ConnectionService.create(config));
    }

    SseBridgeHandler(ConnectionService connections) {
        this.connections = connections;
        this.priming = new SseBridgePriming(this);
        Core.getGlobalContext().register(priming);
    }

    @Override
    public APIGatewayV2WebSocketResponse handleRequest(APIGatewayV2WebSocketEvent event, Context context) {
        return Observability.invocation(context, () -> handle(event));
    }

    APIGatewayV2WebSocketResponse handle(APIGatewayV2WebSocketEvent event) {
        var request = event.getRequestContext();
        try {
            return switch (request.getEventType()) {
                case "CONNECT" -> {
                    String token = event.getQueryStringParameters() == null ? null
                            : event.getQueryStringParameters().get("token");
                    Instant connectedAt = request.getConnectedAt() > 0
                            ? Instant.ofEpochMilli(request.getConnectedAt()) : Instant.now();
                    yield connections.connect(request.getConnectionId(), token, connectedAt).isPresent()
                            ? response(200, null) : response(401, "Unauthorized");
                }
                case "DISCONNECT" -> {
                    connections.disconnect(request.getConnectionId());
                    yield response(200, null);
                }
                default -> response(200, connections.answer(event.getBody()));
            };
        } catch (DatabaseException e) {
            // At $connect the client sees 503 and may retry; elsewhere API Gateway only logs it.
            return response(503, "Service Unavailable");
        }
    }

    private static APIGatewayV2WebSocketResponse response(int status, String body) {
        APIGatewayV2WebSocketResponse response = new APIGatewayV2WebSocketResponse();
        response.setStatusCode(status);
        response.setHeaders(Map.of());
        response.setBody(body);
        return response;
    }
}
