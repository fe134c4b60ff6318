package ai.realstaging.stripewebhook;

import ai.realstaging.common.http.Priming;
import ai.realstaging.common.http.Router;

/** SnapStart priming: an event without a Stripe-Signature header, refused before any secret or database work. */
final class StripeWebhookPriming extends Priming {
    StripeWebhookPriming(Router router) {
        super(router, "POST", "/v1/webhooks/stripe", "{\"id\":\"evt_priming\",\"object\":\"event\"}");
    }
}
