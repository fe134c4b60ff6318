package ai.realstaging.common.billing;

import ai.realstaging.common.config.AwsClients;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.config.Lazy;
import ai.realstaging.common.config.Secret;
import ai.realstaging.common.http.ApiException;
import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.Invoice;
import com.stripe.model.StripeCollection;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.InvoiceListParams;
import com.stripe.param.SubscriptionRetrieveParams;
import com.stripe.param.checkout.SessionCreateParams;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Stripe calls the service makes, through stripe-java's {@link StripeClient} (built on first use:
 * the key may come from Secrets Manager). Stripe's failures become our typed errors: unreachable or
 * 5xx is 503, anything else a logged internal error; Stripe's own text, and its name, never reach a client.
 */
public final class StripeApi {
    private static final Logger LOG = LoggerFactory.getLogger(StripeApi.class);
    public static final String DEFAULT_API_BASE = "https://api.stripe.com";

    private final boolean configured;
    private final Lazy<StripeClient> client;

    /** {@code apiBase} is Stripe's, or a stand-in's (tests, the local stack). */
    public StripeApi(Supplier<String> apiKey, String apiBase, boolean configured, int maxNetworkRetries) {
        this.configured = configured;
        this.client = Lazy.of(() -> StripeClient.builder()
                .setApiKey(apiKey.get())
                .setApiBase(apiBase)
                .setMaxNetworkRetries(maxNetworkRetries)
                .setConnectTimeout(5_000)
                .setReadTimeout(10_000)
                .build());
    }

    /** STRIPE_SECRET_KEY (or STRIPE_SECRET_KEY_SECRET_ARN) and STRIPE_API_BASE. */
    public static StripeApi fromConfig(Config config, AwsClients aws) {
        boolean configured = config.get("STRIPE_SECRET_KEY").isPresent()
                || config.get("STRIPE_SECRET_KEY_SECRET_ARN").isPresent();
        return new StripeApi(Secret.of(config, "STRIPE_SECRET_KEY", aws),
                config.get("STRIPE_API_BASE", DEFAULT_API_BASE), configured, config.getInt("STRIPE_MAX_NETWORK_RETRIES", 2));
    }

    /** A Checkout session as the client needs it. */
    public record CheckoutSession(String id, String url, Instant expiresAt) {}

    /** A subscription as Stripe holds it now. */
    public record StripeSubscription(String id, String customerId, String status, String priceId, Instant periodStart,
                                     Instant periodEnd, boolean cancelAtPeriodEnd, Instant canceledAt, Instant endedAt,
                                     Instant created, Map<String, String> metadata,
                                     Subscriptions.Invoice latestInvoice) {}

    /** One invoice of a list. */
    public record InvoiceSummary(String id, String number, String status, Long amountDue, Long amountPaid,
                                 String currency, Instant created, Instant periodStart, Instant periodEnd,
                                 String hostedInvoiceUrl, String invoicePdf) {}

    public record InvoicePage(List<InvoiceSummary> invoices, boolean hasMore) {}

    /**
     * A customer carrying our user id in its metadata. The idempotency key makes a retry after a lost
     * answer (or a rolled-back transaction) return the same customer instead of a second one.
     */
    public String createCustomer(UUID userId, String email) {
        CustomerCreateParams.Builder params = CustomerCreateParams.builder().putMetadata("user_id", userId.toString());
        if (email != null) params.setEmail(email);
        RequestOptions options = RequestOptions.builder()
                .setIdempotencyKey("customer-" + userId + "-" + digest(email == null ? "" : email)).build();
        return call("create customer", s -> s.v1().customers().create(params.build(), options)).getId();
    }

    /** Our user id from a customer's metadata, if Stripe knows the customer and it carries one. */
    public Optional<String> customerUserId(String customerId) {
        Optional<Customer> customer = find("retrieve customer", s -> s.v1().customers().retrieve(customerId));
        return customer.filter(c -> !Boolean.TRUE.equals(c.getDeleted()) && c.getMetadata() != null)
                .map(c -> c.getMetadata().get("user_id"));
    }

    /** A subscription-mode Checkout session: our user id as client_reference_id and in both metadata. */
    public CheckoutSession createCheckoutSession(String customerId, UUID userId, String planId, String priceId,
                                                 String successUrl, String cancelUrl) {
        SessionCreateParams params = SessionCreateParams.builder()
                .setMode(SessionCreateParams.Mode.SUBSCRIPTION)
                .setCustomer(customerId)
                .setClientReferenceId(userId.toString())
                .addLineItem(SessionCreateParams.LineItem.builder().setPrice(priceId).setQuantity(1L).build())
                .setSuccessUrl(successUrl)
                .setCancelUrl(cancelUrl)
                .putMetadata("user_id", userId.toString())
                .putMetadata("plan", planId)
                .setSubscriptionData(SessionCreateParams.SubscriptionData.builder()
                        .putMetadata("user_id", userId.toString()).putMetadata("plan", planId).build())
                .build();
        var session = call("create checkout session", s -> s.v1().checkout().sessions().create(params));
        return new CheckoutSession(session.getId(), session.getUrl(), seconds(session.getExpiresAt()));
    }

    /** Expires an open session; false when it can no longer be expired (completed, or already expired). */
    public boolean expireCheckoutSession(String sessionId) {
        var current = find("retrieve checkout session", s -> s.v1().checkout().sessions().retrieve(sessionId));
        if (current.isEmpty() || !"open".equals(current.get().getStatus())) return false;
        call("expire checkout session", s -> s.v1().checkout().sessions().expire(sessionId));
        return true;
    }

    /** The status Stripe holds for a session ("open", "complete", "expired"), if it knows it. */
    public Optional<String> checkoutSessionStatus(String sessionId) {
        return find("retrieve checkout session", s -> s.v1().checkout().sessions().retrieve(sessionId))
                .map(com.stripe.model.checkout.Session::getStatus);
    }

    public String createPortalSession(String customerId, String returnUrl) {
        var params = com.stripe.param.billingportal.SessionCreateParams.builder()
                .setCustomer(customerId).setReturnUrl(returnUrl).build();
        return call("create portal session", s -> s.v1().billingPortal().sessions().create(params)).getUrl();
    }

    /** The subscription with its latest invoice, or empty when Stripe does not know it. */
    public Optional<StripeSubscription> subscription(String subscriptionId) {
        SubscriptionRetrieveParams params = SubscriptionRetrieveParams.builder().addExpand("latest_invoice").build();
        return find("retrieve subscription", s -> s.v1().subscriptions().retrieve(subscriptionId, params))
                .map(StripeApi::subscription);
    }

    /**
     * A page of the customer's invoices, newest first; empty when Stripe knows no invoice
     * {@code startingAfter} (a cursor that was made up, or names an invoice since deleted).
     */
    public Optional<InvoicePage> invoices(String customerId, int limit, String startingAfter) {
        InvoiceListParams.Builder params = InvoiceListParams.builder().setCustomer(customerId).setLimit((long) limit);
        if (startingAfter != null) params.setStartingAfter(startingAfter);
        StripeCollection<Invoice> page;
        try {
            page = call("list invoices", s -> s.v1().invoices().list(params.build()));
        } catch (NotFound e) {
            if (startingAfter != null && "starting_after".equals(e.param)) return Optional.empty();
            throw new IllegalStateException("Stripe knows no " + e.param + " of the invoice list");
        }
        return Optional.of(new InvoicePage(page.getData().stream().map(i -> new InvoiceSummary(i.getId(), i.getNumber(),
                i.getStatus(), i.getAmountDue(), i.getAmountPaid(), i.getCurrency(), seconds(i.getCreated()),
                seconds(i.getPeriodStart()), seconds(i.getPeriodEnd()), i.getHostedInvoiceUrl(), i.getInvoicePdf()))
                .toList(), Boolean.TRUE.equals(page.getHasMore())));
    }

    private static StripeSubscription subscription(Subscription s) {
        List<SubscriptionItem> items = s.getItems() == null ? List.of() : s.getItems().getData();
        if (items.isEmpty()) {
            throw new IllegalStateException("Stripe subscription " + s.getId() + " has no items");
        }
        // Our Checkout sells one price per subscription; since API 2025-03-31 the period lives on the item.
        SubscriptionItem item = items.getFirst();
        Invoice invoice = s.getLatestInvoiceObject();
        Subscriptions.Invoice latest = invoice == null
                ? (s.getLatestInvoice() == null ? null : new Subscriptions.Invoice(s.getLatestInvoice(), null, null, null, null, null))
                : new Subscriptions.Invoice(invoice.getId(), invoice.getStatus(), invoice.getAmountDue(),
                        invoice.getCurrency(), invoice.getAttemptCount() == null ? null : invoice.getAttemptCount().intValue(),
                        seconds(invoice.getNextPaymentAttempt()));
        return new StripeSubscription(s.getId(), s.getCustomer(), s.getStatus(), item.getPrice().getId(),
                seconds(item.getCurrentPeriodStart()), seconds(item.getCurrentPeriodEnd()),
                Boolean.TRUE.equals(s.getCancelAtPeriodEnd()), seconds(s.getCanceledAt()), seconds(s.getEndedAt()),
                seconds(s.getCreated()), s.getMetadata() == null ? Map.of() : Map.copyOf(s.getMetadata()), latest);
    }

    @FunctionalInterface
    private interface Call<T> {
        T run(StripeClient client) throws StripeException;
    }

    private <T> Optional<T> find(String what, Call<T> call) {
        try {
            return Optional.of(call(what, call));
        } catch (NotFound e) {
            return Optional.empty();
        }
    }

    private <T> T call(String what, Call<T> call) {
        if (!configured) {
            LOG.error("cannot {}: STRIPE_SECRET_KEY (or STRIPE_SECRET_KEY_SECRET_ARN) is not configured", what);
            throw new ApiException.DependencyDown("Billing");
        }
        try {
            return call.run(client.get());
        } catch (ApiConnectionException | RateLimitException e) {
            LOG.warn("Stripe unavailable to {}: {} (request {})", what, e.getClass().getSimpleName(), e.getRequestId());
            throw new ApiException.DependencyDown("The payment provider");
        } catch (AuthenticationException e) {
            LOG.error("Stripe refused the API key to {} (request {})", what, e.getRequestId());
            throw new ApiException.DependencyDown("Billing");
        } catch (StripeException e) {
            Integer status = e.getStatusCode();
            String param = e.getStripeError() == null ? null : e.getStripeError().getParam();
            // An object we named is unknown: 404 when it is the one asked for, 400 naming the parameter when a
            // list's starting_after names it.
            if (status != null && "resource_missing".equals(e.getCode())
                    && (status == 404 || status == 400 && "starting_after".equals(param))) {
                throw new NotFound(param);
            }
            if (status == null || status >= 500) {
                LOG.warn("Stripe failed to {}: status {} (request {})", what, status, e.getRequestId());
                throw new ApiException.DependencyDown("The payment provider");
            }
            // Our request was wrong (a bad price id in the configuration, a bug): an internal error.
            LOG.error("Stripe refused to {}: status {} code {} param {} (request {})", what, status, e.getCode(),
                    param, e.getRequestId());
            throw new IllegalStateException("Stripe refused to " + what + " (" + e.getCode() + ")");
        }
    }

    /** Stripe answered resource_missing: the object asked for, or the one {@code param} names, does not exist. */
    private static final class NotFound extends RuntimeException {
        final String param;

        NotFound(String param) {
            super(null, null, false, false);
            this.param = param;
        }
    }

    private static Instant seconds(Long epochSeconds) {
        return epochSeconds == null ? null : Instant.ofEpochSecond(epochSeconds);
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
