package ai.realstaging.ssebridge;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2WebSocketEvent;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SnapStart priming: a ping and a $connect whose token is not even a JWT, so event handling, JSON
 * and the token check's first steps are loaded before the snapshot. No database, no JWKS fetch,
 * nothing kept; never throws.
 */
final class SseBridgePriming implements Resource {
    private static final Logger LOG = LoggerFactory.getLogger(SseBridgePriming.class);

    private final SseBridgeHandler handler;

    SseBridgePriming(SseBridgeHandler handler) {
        this.handler = handler;
    }

    /** The statuses of the dry run (ping, connect); -1 when it failed. Exposed for tests. */
    int[] prime() {
        try {
            return new int[] {
                    handler.handle(event("MESSAGE", "$default", "{\"action\":\"ping\"}", null)).getStatusCode(),
                    handler.handle(event("CONNECT", "$connect", null, "priming")).getStatusCode()};
        } catch (RuntimeException e) {
            LOG.warn("priming failed; the function still works, only colder", e);
            return new int[] {-1, -1};
        }
    }

    private static APIGatewayV2WebSocketEvent event(String type, String route, String body, String token) {
        APIGatewayV2WebSocketEvent event = new APIGatewayV2WebSocketEvent();
        APIGatewayV2WebSocketEvent.RequestContext context = new APIGatewayV2WebSocketEvent.RequestContext();
        context.setEventType(type);
        context.setRouteKey(route);
        context.setConnectionId("priming");
        event.setRequestContext(context);
        event.setBody(body);
        if (token != null) event.setQueryStringParameters(java.util.Map.of("token", token));
        return event;
    }

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing was opened before the snapshot.
    }
}
