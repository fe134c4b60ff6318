package ai.realstaging.common.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.util.Map;
import org.crac.Context;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SnapStart priming for an HTTP function: before the snapshot, routes a request that is rejected by
 * validation, so routing, JSON, validation and problem mapping are loaded and compiled. It touches
 * no database, network, clock-bound or random state, and never throws.
 */
public abstract class Priming implements Resource {
    private static final Logger LOG = LoggerFactory.getLogger(Priming.class);

    private final Router router;
    private final APIGatewayV2HTTPEvent event;

    protected Priming(Router router, String method, String path, String body) {
        this.router = router;
        this.event = APIGatewayV2HTTPEvent.builder()
                .withRouteKey("$default")
                .withRawPath(path)
                .withBody(body)
                .withHeaders(Map.of("content-type", "application/json"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("priming")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path).build())
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder()
                                        .withClaims(Map.of("sub", "priming")).build())
                                .build())
                        .build())
                .build();
    }

    /** The status the dry run answered; exposed for tests. */
    public int prime() {
        try {
            return router.handle(event).getStatusCode();
        } catch (RuntimeException e) {
            LOG.warn("priming failed; the function still works, only colder", e);
            return -1;
        }
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing was opened before the snapshot, so nothing needs reopening.
    }
}
