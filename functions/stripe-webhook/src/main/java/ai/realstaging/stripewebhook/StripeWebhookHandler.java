package ai.realstaging.stripewebhook;

import static ai.realstaging.common.http.Router.route;

import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.config.AwsClients;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.http.ApiRequest;
import ai.realstaging.common.http.Json;
import ai.realstaging.common.http.Responses;
import ai.realstaging.common.http.Router;
import ai.realstaging.common.observability.Observability;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.stripe.model.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.crac.Core;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** HTTP API entry point for Stripe's webhook (no JWT): verify the signature on the raw body, apply the event once. */
public final class StripeWebhookHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(StripeWebhookHandler.class);

    private final StripeSignature signature;
    private final StripeEventService events;
    private final Router router;
    private final StripeWebhookPriming priming;

    public StripeWebhookHandler() {
        this(Config.fromEnvironment());
    }

    public StripeWebhookHandler(Config config) {
        this(StripeSignature.fromConfig(config, new AwsClients(config)), StripeEventService.create(config));
    }

    StripeWebhookHandler(StripeSignature signature, StripeEventService events) {
        this.signature = signature;
        this.events = events;
        this.router = new Router(Identity.DEFAULT_ROLES_CLAIM, List.of(route("POST", "/v1/webhooks/stripe", this::receive)));
        this.priming = new StripeWebhookPriming(router);
        Core.getGlobalContext().register(priming);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return Observability.invocation(context, () -> router.handle(event));
    }

    /** 2xx for applied, ignored and duplicate events alike: Stripe must stop redelivering all three. */
    private APIGatewayV2HTTPResponse receive(ApiRequest request) {
        String payload = request.body();
        Event event = signature.verify(payload, request.header("Stripe-Signature"));
        // Fields are read from the verified bytes, not stripe-java's model: the endpoint's API version may differ.
        StripeEventService.Outcome outcome = events.apply(event.getId(), event.getType(),
                Instant.ofEpochSecond(event.getCreated()), Json.read(payload).path("data").path("object"));
        LOG.info("stripe event {} {}: {}", event.getId(), event.getType(), outcome.wire());
        return Responses.ok(Map.of("received", true, "outcome", outcome.wire()));
    }
}
