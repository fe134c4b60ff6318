package ai.realstaging.projects;

import ai.realstaging.common.api.Views.Page;
import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.billing.CheckoutSessions;
import ai.realstaging.common.billing.Customers;
import ai.realstaging.common.billing.Entitlement;
import ai.realstaging.common.billing.Plans;
import ai.realstaging.common.billing.StripeApi;
import ai.realstaging.common.billing.StripePrices;
import ai.realstaging.common.billing.Subscriptions;
import ai.realstaging.common.config.AwsClients;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.UserDirectory;
import ai.realstaging.common.http.ApiException;
import ai.realstaging.common.http.ApiException.FieldError;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's billing: Checkout for a paid plan, the Customer Portal, the subscription and the invoices.
 * Stripe is the record of payments; our copy of the subscription comes from its signed events.
 */
public final class BillingService {
    private static final Logger LOG = LoggerFactory.getLogger(BillingService.class);
    /** An open session with less time left than this is replaced rather than handed out again. */
    private static final Duration REUSE_MARGIN = Duration.ofMinutes(10);

    private final Database db;
    private final StripeApi stripe;
    private final StripePrices prices;
    private final Urls urls;
    private final UserDirectory users;

    /** Where Stripe sends the browser back: after Checkout (success, cancel) and from the portal. */
    record Urls(String checkoutSuccess, String checkoutCancel, String portalReturn) {
        static Urls fromConfig(Config config) {
            return new Urls(config.get("BILLING_SUCCESS_URL").orElse(null), config.get("BILLING_CANCEL_URL").orElse(null),
                    config.get("BILLING_RETURN_URL").orElse(null));
        }
    }

    BillingService(Database db, StripeApi stripe, StripePrices prices, Urls urls) {
        this(db, stripe, prices, urls, new UserDirectory());
    }

    BillingService(Database db, StripeApi stripe, StripePrices prices, Urls urls, UserDirectory users) {
        this.users = users;
        this.db = db;
        this.stripe = stripe;
        this.prices = prices;
        this.urls = urls;
    }

    static BillingService create(Config config, Database db) {
        return create(config, db, new AwsClients(config), new UserDirectory());
    }

    static BillingService create(Config config, Database db, AwsClients aws, UserDirectory users) {
        return new BillingService(db, StripeApi.fromConfig(config, aws), new StripePrices(config),
                Urls.fromConfig(config), users);
    }

    /** A Checkout session: its URL, the plan, when it expires; {@code reused} when an open one was handed back. */
    public record CheckoutView(String id, String url, String plan, Instant expiresAt, @com.fasterxml.jackson.annotation.JsonIgnore boolean reused) {}

    public record PortalView(String url) {}

    /** How the latest invoice's payment went. */
    public record PaymentView(String invoiceId, String status, Long amountDue, String currency, Integer attemptCount,
                              Instant nextPaymentAttempt) {}

    /**
     * The plan in effect (what quota follows) and the user's subscription; status "none" without one.
     * payment_failed is true while the latest invoice is unpaid after a failed attempt.
     */
    public record SubscriptionView(String plan, String status, String subscriptionId, String subscribedPlan,
                                   Instant currentPeriodStart, Instant currentPeriodEnd, Boolean cancelAtPeriodEnd,
                                   Instant canceledAt, Instant endedAt, boolean paymentFailed, PaymentView latestPayment) {}

    public record InvoiceView(String id, String number, String status, Long amountDue, Long amountPaid, String currency,
                              Instant createdAt, Instant periodStart, Instant periodEnd, String hostedInvoiceUrl,
                              String invoicePdf) {}

    public CheckoutView checkout(Identity identity, String planId) {
        List<Plans.Plan> catalogue = db.read(Plans::list);
        List<String> paid = catalogue.stream().filter(p -> p.priceCents() > 0).map(Plans.Plan::id).toList();
        Plans.Plan plan = catalogue.stream().filter(p -> p.id().equals(planId)).findFirst().orElse(null);
        if (plan == null) {
            throw new ApiException.ValidationFailed(List.of(new FieldError("plan", "must be one of " + String.join(", ", paid))));
        }
        if (plan.priceCents() == 0) {
            throw new ApiException.ValidationFailed(List.of(new FieldError("plan",
                    plan.id() + " needs no checkout: it is the plan without a subscription; choose one of " + String.join(", ", paid))));
        }
        String priceId = prices.checkoutPrice(plan.id()).orElseThrow(() -> {
            LOG.error("no Stripe price configured for plan {}: set {}", plan.id(), StripePrices.setting(plan.id()));
            return new ApiException.DependencyDown("Checkout for the " + plan.name() + " plan");
        });
        if (urls.checkoutSuccess() == null || urls.checkoutCancel() == null) {
            LOG.error("BILLING_SUCCESS_URL and BILLING_CANCEL_URL must be set for Checkout");
            throw new ApiException.DependencyDown("Checkout");
        }
        // One transaction holding the user's row: parallel checkouts of one user run one after the other,
        // so at most one session is ever open and a user cannot pay for two subscriptions.
        return db.transaction(c -> {
            UUID userId = users.resolve(c, identity.subject(), identity.email());
            Customers.lockUser(c, userId);
            Optional<Subscriptions.Subscription> current = Subscriptions.current(c, userId);
            if (current.isPresent() && !current.get().ended()) {
                throw new ApiException.Conflict("You already have the " + current.get().planId() + " plan (subscription "
                        + current.get().status() + "); change or cancel it in the billing portal (POST /v1/billing/portal)");
            }
            Instant now = Instant.now();
            for (CheckoutSessions.Session open : CheckoutSessions.open(c, userId)) {
                if (open.planId().equals(plan.id()) && open.expiresAt().isAfter(now.plus(REUSE_MARGIN))
                        && stripe.checkoutSessionStatus(open.id()).filter("open"::equals).isPresent()) {
                    return new CheckoutView(open.id(), open.url(), open.planId(), open.expiresAt(), true);
                }
                if (!stripe.expireCheckoutSession(open.id())
                        && stripe.checkoutSessionStatus(open.id()).filter("complete"::equals).isPresent()) {
                    CheckoutSessions.settle(c, open.id(), "complete");
                    throw new ApiException.Conflict("A checkout you started for the " + open.planId()
                            + " plan has just been paid; your subscription is being set up");
                }
                CheckoutSessions.settle(c, open.id(), "expired");
            }
            String customerId = Customers.customerOf(c, userId).orElse(null);
            if (customerId == null) {
                customerId = stripe.createCustomer(userId, identity.email());
                Customers.link(c, userId, customerId);
            }
            StripeApi.CheckoutSession session = stripe.createCheckoutSession(customerId, userId, plan.id(), priceId,
                    urls.checkoutSuccess(), urls.checkoutCancel());
            CheckoutSessions.insert(c, new CheckoutSessions.Session(session.id(), userId, plan.id(), session.url(), "open",
                    session.expiresAt()));
            LOG.info("checkout session {} opened for plan {}", session.id(), plan.id());
            return new CheckoutView(session.id(), session.url(), plan.id(), session.expiresAt(), false);
        });
    }

    public PortalView portal(Identity identity) {
        String customerId = db.read(c -> Customers.customerOf(c, users.resolve(c, identity.subject(), identity.email())))
                .orElseThrow(() -> new ApiException.Conflict("You have no billing account yet: the free plan needs none."
                        + " Subscribe to a paid plan first (POST /v1/billing/checkout)."));
        if (urls.portalReturn() == null) {
            LOG.error("BILLING_RETURN_URL must be set for the Customer Portal");
            throw new ApiException.DependencyDown("The billing portal");
        }
        return new PortalView(stripe.createPortalSession(customerId, urls.portalReturn()));
    }

    public SubscriptionView subscription(Identity identity) {
        record Row(Entitlement entitlement, Optional<Subscriptions.Subscription> subscription) {}
        Row row = db.read(c -> {
            UUID userId = users.resolve(c, identity.subject(), identity.email());
            return new Row(Entitlement.find(c, userId, Instant.now()).orElseThrow(), Subscriptions.current(c, userId));
        });
        if (row.subscription().isEmpty()) {
            return new SubscriptionView(row.entitlement().planId(), "none", null, null, null, null, null, null, null,
                    false, null);
        }
        Subscriptions.Subscription s = row.subscription().get();
        Subscriptions.Invoice i = s.latestInvoice();
        PaymentView payment = i == null ? null : new PaymentView(i.id(), paymentStatus(i), i.amountDue(), i.currency(),
                i.attemptCount(), i.nextPaymentAttempt());
        boolean failed = !s.ended() && (payment != null && "failed".equals(payment.status())
                || s.status().equals("past_due") || s.status().equals("unpaid"));
        return new SubscriptionView(row.entitlement().planId(), s.status(), s.id(), s.planId(), s.periodStart(),
                s.periodEnd(), s.cancelAtPeriodEnd(), s.canceledAt(), s.endedAt(), failed, payment);
    }

    /** Stripe's invoice status, with an open invoice whose payment was attempted and refused named "failed". */
    private static String paymentStatus(Subscriptions.Invoice i) {
        boolean attempted = i.attemptCount() != null && i.attemptCount() > 0;
        if (i.status() == null) return null;
        return switch (i.status()) {
            case "open", "uncollectible" -> attempted ? "failed" : i.status();
            default -> i.status();
        };
    }

    /**
     * The caller's invoices from Stripe, newest first; a user without a Stripe customer has none. A cursor
     * naming an invoice Stripe does not know is the caller's mistake (422), not ours.
     */
    public Page<InvoiceView> invoices(Identity identity, String startingAfter, int limit) {
        Optional<String> customerId = db.read(c -> Customers.customerOf(c, users.resolve(c, identity.subject(), identity.email())));
        if (customerId.isEmpty()) {
            return new Page<>(List.of(), null);
        }
        StripeApi.InvoicePage page = stripe.invoices(customerId.get(), limit, startingAfter).orElseThrow(() ->
                new ApiException.ValidationFailed(List.of(new FieldError("cursor", "is not a cursor this API returned"))));
        List<InvoiceView> items = page.invoices().stream().map(i -> new InvoiceView(i.id(), i.number(), i.status(),
                i.amountDue(), i.amountPaid(), i.currency(), i.created(), i.periodStart(), i.periodEnd(),
                i.hostedInvoiceUrl(), i.invoicePdf())).toList();
        String next = page.hasMore() && !items.isEmpty() ? InvoiceCursor.encode(items.getLast().id()) : null;
        return new Page<>(items, next);
    }
}
