package ai.realstaging.stripewebhook;

import ai.realstaging.common.billing.CheckoutSessions;
import ai.realstaging.common.billing.Customers;
import ai.realstaging.common.billing.StripeApi;
import ai.realstaging.common.billing.StripeApi.StripeSubscription;
import ai.realstaging.common.billing.StripePrices;
import ai.realstaging.common.billing.Subscriptions;
import ai.realstaging.common.config.AwsClients;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.db.ConnectionFactory;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.Sql;
import ai.realstaging.common.http.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies verified Stripe events exactly once. The event id is inserted in the transaction of its
 * effect: a redelivery finds it and changes nothing, a concurrent one waits on it, and a failed effect
 * takes the id with it so Stripe's retry applies the event later. Subscriptions are rewritten from
 * Stripe's API under the user's row lock, never from the payload, so an event that arrives late or out
 * of order cannot put older state over newer.
 */
public final class StripeEventService {
    private static final Logger LOG = LoggerFactory.getLogger(StripeEventService.class);

    /** What became of an event. */
    public enum Outcome {
        APPLIED, IGNORED, DUPLICATE;

        public String wire() {
            return name().toLowerCase();
        }
    }

    private final Database db;
    private final StripeApi stripe;
    private final StripePrices prices;

    StripeEventService(Database db, StripeApi stripe, StripePrices prices) {
        this.db = db;
        this.stripe = stripe;
        this.prices = prices;
    }

    static StripeEventService create(Config config) {
        return new StripeEventService(new Database(ConnectionFactory.fromConfig(config)),
                StripeApi.fromConfig(config, new AwsClients(config)), new StripePrices(config));
    }

    /** {@code object} is the event's data.object as Stripe signed it. */
    public Outcome apply(String eventId, String type, Instant created, JsonNode object) {
        return db.transaction(c -> {
            boolean first = Sql.update(c, """
                    INSERT INTO stripe_events (id, type, created, outcome) VALUES (?, ?, ?, 'applied')
                    ON CONFLICT (id) DO NOTHING""", eventId, type, created) == 1;
            if (!first) return Outcome.DUPLICATE;
            Outcome outcome = switch (type) {
                case "checkout.session.completed" -> checkoutCompleted(c, object);
                case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted" ->
                        sync(c, text(object, "id"), text(object, "customer"), null);
                case "invoice.paid", "invoice.payment_failed" -> invoice(c, object);
                default -> Outcome.IGNORED;
            };
            if (outcome == Outcome.IGNORED) {
                Sql.update(c, "UPDATE stripe_events SET outcome = 'ignored' WHERE id = ?", eventId);
            }
            return outcome;
        });
    }

    private Outcome checkoutCompleted(Connection c, JsonNode session) throws SQLException {
        if (!"subscription".equals(text(session, "mode"))) return Outcome.IGNORED;
        CheckoutSessions.settle(c, text(session, "id"), "complete");
        UUID user = uuid(text(session, "client_reference_id")).or(() -> uuid(text(session.path("metadata"), "user_id")))
                .orElse(null);
        String subscriptionId = text(session, "subscription");
        if (subscriptionId == null) {
            // No subscription yet (a delayed payment method): its own events will bring it.
            if (user != null && text(session, "customer") != null && Customers.userExists(c, user)) {
                Customers.link(c, user, text(session, "customer"));
            }
            return Outcome.APPLIED;
        }
        return sync(c, subscriptionId, text(session, "customer"), user);
    }

    private Outcome invoice(Connection c, JsonNode invoice) throws SQLException {
        // Since API 2025-03-31 the subscription is under parent.subscription_details; before, at the top.
        String subscriptionId = Optional.ofNullable(text(invoice.path("parent").path("subscription_details"), "subscription"))
                .orElse(text(invoice, "subscription"));
        if (subscriptionId == null) return Outcome.IGNORED;
        return sync(c, subscriptionId, text(invoice, "customer"), null);
    }

    /** Rewrites our copy of the subscription from Stripe's API, holding the owner's row lock while it reads. */
    private Outcome sync(Connection c, String subscriptionId, String customerId, UUID hintedUser) throws SQLException {
        if (subscriptionId == null) throw new ApiException.BadRequest("The event names no subscription");
        UUID userId = owner(c, subscriptionId, customerId, hintedUser);
        Customers.lockUser(c, userId);
        Optional<StripeSubscription> found = stripe.subscription(subscriptionId);
        if (found.isEmpty()) {
            LOG.warn("subscription {} is unknown to Stripe; marked ended", subscriptionId);
            Subscriptions.markGone(c, subscriptionId);
            return Outcome.APPLIED;
        }
        StripeSubscription s = found.get();
        String planId = prices.planFor(c, s.priceId()).orElseThrow(() -> {
            LOG.error("price {} of subscription {} matches no plan: list it in STRIPE_PRICE_<PLAN>", s.priceId(), s.id());
            return new IllegalStateException("price " + s.priceId() + " matches no plan");
        });
        Customers.link(c, userId, s.customerId());
        Subscriptions.save(c, new Subscriptions.Subscription(s.id(), userId, s.customerId(), planId, s.priceId(),
                s.status(), s.periodStart(), s.periodEnd(), s.cancelAtPeriodEnd(), s.canceledAt(), s.endedAt(),
                s.latestInvoice(), s.created()));
        LOG.info("subscription {} synced: plan {}, status {}", s.id(), planId, s.status());
        return Outcome.APPLIED;
    }

    /**
     * Whose subscription it is: the user linked to the customer, the owner we already recorded, the user
     * a Checkout session names, else our user id in the subscription's or the customer's metadata.
     * Unresolvable means 409 and no record of the event, so Stripe delivers it again later.
     */
    private UUID owner(Connection c, String subscriptionId, String customerId, UUID hintedUser) throws SQLException {
        if (customerId != null) {
            Optional<UUID> linked = Customers.userOf(c, customerId);
            if (linked.isPresent()) return linked.get();
        }
        Optional<Subscriptions.Subscription> known = Subscriptions.find(c, subscriptionId);
        if (known.isPresent()) return known.get().userId();
        if (hintedUser != null && Customers.userExists(c, hintedUser)) return hintedUser;
        Optional<UUID> fromSubscription = stripe.subscription(subscriptionId)
                .flatMap(s -> uuid(s.metadata().get("user_id")));
        if (fromSubscription.isPresent() && Customers.userExists(c, fromSubscription.get())) return fromSubscription.get();
        if (customerId != null) {
            Optional<UUID> fromCustomer = stripe.customerUserId(customerId).flatMap(StripeEventService::uuid);
            if (fromCustomer.isPresent() && Customers.userExists(c, fromCustomer.get())) return fromCustomer.get();
        }
        LOG.warn("subscription {} belongs to no known user yet; the event is left for Stripe to redeliver", subscriptionId);
        throw new ApiException.Conflict("The event's customer is not linked to a user yet");
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }

    private static Optional<UUID> uuid(String text) {
        if (text == null) return Optional.empty();
        try {
            return Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
