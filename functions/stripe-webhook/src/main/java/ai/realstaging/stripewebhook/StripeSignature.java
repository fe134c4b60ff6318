package ai.realstaging.stripewebhook;

import ai.realstaging.common.config.AwsClients;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.config.Secret;
import ai.realstaging.common.http.ApiException;
import com.google.gson.JsonParseException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.net.Webhook;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stripe's webhook signature check: stripe-java's {@link Webhook#constructEvent} on the raw body with a
 * 300 s tolerance. Without a configured endpoint secret it refuses every event (and logs why): an
 * unsigned event is never accepted.
 */
final class StripeSignature {
    private static final Logger LOG = LoggerFactory.getLogger(StripeSignature.class);
    static final long TOLERANCE_SECONDS = 300;
    static final String SECRET = "STRIPE_WEBHOOK_SECRET";

    /** Null when no secret is configured. */
    private final Supplier<String> secret;

    StripeSignature(Supplier<String> secret) {
        this.secret = secret;
        if (secret == null) {
            LOG.error("{} (or {}_SECRET_ARN) is not configured: every Stripe event will be refused", SECRET, SECRET);
        }
    }

    /** The secret from the environment locally, from Secrets Manager in AWS (read on first use, never logged). */
    static StripeSignature fromConfig(Config config, AwsClients aws) {
        boolean configured = config.get(SECRET).isPresent() || config.get(SECRET + "_SECRET_ARN").isPresent();
        return new StripeSignature(configured ? Secret.of(config, SECRET, aws) : null);
    }

    /** The event, once the signature over exactly these bytes is Stripe's and recent; otherwise a typed refusal. */
    Event verify(String payload, Optional<String> header) {
        if (header.isEmpty()) {
            LOG.warn("rejected a Stripe webhook request without a Stripe-Signature header");
            throw new ApiException.BadRequest("The signature header is missing");
        }
        if (secret == null) {
            LOG.error("refused a Stripe event: {} (or {}_SECRET_ARN) is not configured", SECRET, SECRET);
            throw new ApiException.DependencyDown("Event verification");
        }
        try {
            return Webhook.constructEvent(payload, header.get(), secret.get(), TOLERANCE_SECONDS);
        } catch (SignatureVerificationException e) {
            // stripe-java's reason (no matching signature, timestamp outside tolerance) holds no secret.
            LOG.warn("rejected a Stripe event: {}", e.getMessage());
            throw new ApiException.BadRequest("The signature does not match this body, or is too old");
        } catch (JsonParseException e) {
            LOG.warn("rejected a correctly signed Stripe webhook body that is not an event");
            throw new ApiException.BadRequest("The body is not an event");
        }
    }
}
