// integration: the stripe-webhook function on real PostgreSQL (DATABASE_URL or embedded), stripe-java pointed at the
// in-JVM Stripe stand-in, events signed as Stripe signs them and delivered in the HTTP API event of events/apigw
package ai.realstaging.local.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.billing.Quota;
import ai.realstaging.common.billing.StripeApi;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.http.Json;
import ai.realstaging.common.testing.Concurrently;
import ai.realstaging.common.testing.Events;
import ai.realstaging.common.testing.TestContext;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.common.testing.TestDatabase.TestUser;
import ai.realstaging.stripewebhook.StripeWebhookHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.stripe.StripeClient;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StripeWebhookIT {
    private static final String KEY = "sk_test_webhook_it";
    private static final String SECRET = "whsec_webhook_it";
    private static final String PRO = "price_it_pro";
    private static final String BUSINESS = "price_it_business";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static StripeStandIn stripe;
    private final TestDatabase db = TestDatabase.shared();
    private final StripeWebhookHandler handler = handler(SECRET);

    @BeforeAll
    static void startStripe() throws Exception {
        stripe = StripeStandIn.start("127.0.0.1", 0, KEY,
                List.of(new StripeStandIn.Price("pro", PRO, 2900), new StripeStandIn.Price("business", BUSINESS, 9900)));
    }

    @AfterAll
    static void stopStripe() {
        stripe.close();
    }

    private StripeWebhookHandler handler(String secret) {
        Map<String, String> config = new HashMap<>(Map.of("DATABASE_URL", db.databaseUrlSetting(),
                "STRIPE_SECRET_KEY", KEY, "STRIPE_API_BASE", stripe.baseUrl().toString(),
                "STRIPE_PRICE_PRO", PRO, "STRIPE_PRICE_BUSINESS", BUSINESS, "STRIPE_MAX_NETWORK_RETRIES", "0",
                "AWS_REGION", "us-east-1"));
        if (secret != null) config.put("STRIPE_WEBHOOK_SECRET", secret);
        return new StripeWebhookHandler(Config.of(config));
    }

    // ------------------------------------------------------------------ fixtures

    /** A checkout as our API opens it (customer and session carry the user id), paid at the stand-in. */
    private static List<JsonNode> paidCheckout(TestUser user, String plan) throws Exception {
        StripeApi api = new StripeApi(() -> KEY, stripe.baseUrl().toString(), true, 0);
        String customer = api.createCustomer(user.id(), user.email());
        var session = api.createCheckoutSession(customer, user.id(), plan, plan.equals("pro") ? PRO : BUSINESS,
                "https://app.example/ok", "https://app.example/cancel");
        return helper("/_standin/checkout/sessions/" + session.id() + "/complete", "");
    }

    private static List<JsonNode> helper(String path, String form) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(stripe.baseUrl().resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> events = new ArrayList<>();
        Json.read(response.body()).path("events").forEach(events::add);
        return events;
    }

    private static JsonNode ofType(List<JsonNode> events, String type) {
        return events.stream().filter(e -> e.path("type").asText().equals(type)).findFirst().orElseThrow();
    }

    /** The sample HTTP API event carrying this body and Stripe-Signature header (none when null). */
    private static APIGatewayV2HTTPEvent request(String body, String signature) {
        APIGatewayV2HTTPEvent event = Events.withBody(Events.http("apigw/http_api_stripe_webhook.json"), body);
        Map<String, String> headers = new LinkedHashMap<>(event.getHeaders());
        headers.remove("stripe-signature");
        if (signature != null) headers.put("stripe-signature", signature);
        event.setHeaders(headers);
        return event;
    }

    private static String signedNow(String body, String secret) {
        return StripeWebhookSender.signatureHeader(body, secret, Instant.now().getEpochSecond());
    }

    private APIGatewayV2HTTPResponse deliver(StripeWebhookHandler to, JsonNode event) {
        String body = Json.write(event);
        return to.handleRequest(request(body, signedNow(body, SECRET)), new TestContext());
    }

    private String outcome(JsonNode event) {
        APIGatewayV2HTTPResponse response = deliver(handler, event);
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        return Json.read(response.getBody()).path("outcome").asText();
    }

    private Quota.Usage usage(TestUser user) {
        return db.withConnection(c -> Quota.usage(c, user.id(), Instant.now()));
    }

    private String subscriptionStatus(String subscriptionId) {
        return db.queryString("SELECT status FROM subscriptions WHERE id = ?", subscriptionId);
    }

    private long recorded(String eventId) {
        return db.queryLong("SELECT count(*) FROM stripe_events WHERE id = ?", eventId);
    }

    private long fetches(String subscriptionId) {
        return stripe.requests().stream().filter(r -> r.equals("GET /v1/subscriptions/" + subscriptionId)).count();
    }

    // ------------------------------------------------------------------ applying events

    @Test
    void aPaidCheckoutGivesTheUserThePlanAndTheSubscriptionsPeriod() throws Exception {
        TestUser user = db.createUser();
        List<JsonNode> events = paidCheckout(user, "pro");
        assertThat(usage(user).plan()).isEqualTo("free");

        List<String> outcomes = events.stream().map(this::outcome).toList();

        assertThat(outcomes).containsExactly("applied", "applied", "ignored", "applied");
        JsonNode item = ofType(events, "customer.subscription.created").path("data").path("object").path("items").path("data").path(0);
        Quota.Usage usage = usage(user);
        assertThat(usage.plan()).isEqualTo("pro");
        assertThat(usage.limit()).isEqualTo(100);
        assertThat(usage.period().start()).isEqualTo(Instant.ofEpochSecond(item.path("current_period_start").asLong()));
        assertThat(usage.period().end()).isEqualTo(Instant.ofEpochSecond(item.path("current_period_end").asLong()));
        // The customer was unknown to us: the event was resolved through our metadata and the customer linked.
        assertThat(db.queryString("SELECT stripe_customer_id FROM users WHERE id = ?", user.id()))
                .isEqualTo(ofType(events, "checkout.session.completed").path("data").path("object").path("customer").asText());
    }

    @Test
    void eventsInReverseOrderEndInTheSameState() throws Exception {
        TestUser user = db.createUser();
        List<JsonNode> events = new ArrayList<>(paidCheckout(user, "business"));
        java.util.Collections.reverse(events);

        events.forEach(this::outcome);

        assertThat(usage(user).plan()).isEqualTo("business");
        assertThat(usage(user).limit()).isEqualTo(500);
    }

    @Test
    void theSameEventTwiceHasOneEffect() throws Exception {
        TestUser user = db.createUser();
        JsonNode created = ofType(paidCheckout(user, "pro"), "customer.subscription.created");
        String subscriptionId = created.path("data").path("object").path("id").asText();

        assertThat(outcome(created)).isEqualTo("applied");
        long fetchesAfterFirst = fetches(subscriptionId);
        assertThat(outcome(created)).isEqualTo("duplicate");

        assertThat(fetches(subscriptionId)).isEqualTo(fetchesAfterFirst);
        assertThat(recorded(created.path("id").asText())).isEqualTo(1);
    }

    @Test
    void theSameEventTwiceConcurrentlyHasOneEffect() throws Exception {
        TestUser user = db.createUser();
        JsonNode created = ofType(paidCheckout(user, "pro"), "customer.subscription.created");
        String subscriptionId = created.path("data").path("object").path("id").asText();
        // Separate handlers, as separate Lambda environments with their own connections would be.
        List<StripeWebhookHandler> handlers = List.of(handler(SECRET), handler(SECRET), handler(SECRET), handler(SECRET));

        List<Concurrently.Outcome<APIGatewayV2HTTPResponse>> outcomes =
                Concurrently.run(handlers.size(), i -> deliver(handlers.get(i), created));

        List<String> seen = outcomes.stream().map(o -> o.succeeded()
                ? o.value().getStatusCode() + " " + Json.read(o.value().getBody()).path("outcome").asText()
                : String.valueOf(o.error())).toList();
        assertThat(seen).as(seen.toString()).containsOnly("200 applied", "200 duplicate");
        assertThat(seen).filteredOn(s -> s.endsWith("applied")).hasSize(1);
        assertThat(recorded(created.path("id").asText())).isEqualTo(1);
        // Owner from the subscription's metadata, then the sync: two reads of Stripe, by the one delivery that applied.
        assertThat(fetches(subscriptionId)).isEqualTo(2);
        assertThat(usage(user).plan()).isEqualTo("pro");
    }

    @Test
    void anUpdateArrivingAfterTheDeletionDoesNotResurrectTheSubscription() throws Exception {
        TestUser user = db.createUser();
        paidCheckout(user, "pro").forEach(this::outcome);
        String subscriptionId = db.queryString("SELECT id FROM subscriptions WHERE user_id = ?", user.id());
        String customerId = db.queryString("SELECT stripe_customer_id FROM users WHERE id = ?", user.id());
        JsonNode deleted = ofType(helper("/_standin/subscriptions/" + subscriptionId + "/cancel", ""), "customer.subscription.deleted");
        assertThat(outcome(deleted)).isEqualTo("applied");
        assertThat(subscriptionStatus(subscriptionId)).isEqualTo("canceled");

        // The sample update (active, business) of this subscription, created before the deletion, delivered late.
        ObjectNode late = (ObjectNode) Json.read(Events.text("stripe/customer_subscription_updated.json"));
        late.put("id", "evt_late_" + subscriptionId).put("created", deleted.path("created").asLong() - 60);
        ((ObjectNode) late.path("data").path("object")).put("id", subscriptionId).put("customer", customerId);
        assertThat(late.path("data").path("object").path("status").asText()).isEqualTo("active");

        assertThat(outcome(late)).isEqualTo("applied");

        assertThat(subscriptionStatus(subscriptionId)).isEqualTo("canceled");
        assertThat(db.queryString("SELECT plan_id FROM subscriptions WHERE id = ?", subscriptionId)).isEqualTo("pro");
        assertThat(usage(user).plan()).isEqualTo("free");
        assertThat(usage(user).limit()).isEqualTo(10);
    }

    @Test
    void aPaymentFailureShowsInTheSubscriptionAndARecoveryClearsIt() throws Exception {
        TestUser user = db.createUser();
        paidCheckout(user, "pro").forEach(this::outcome);
        String subscriptionId = db.queryString("SELECT id FROM subscriptions WHERE user_id = ?", user.id());

        // Only the invoice event arrives (the subscription's own update is still on its way).
        outcome(ofType(helper("/_standin/subscriptions/" + subscriptionId + "/fail_payment", ""), "invoice.payment_failed"));

        assertThat(subscriptionStatus(subscriptionId)).isEqualTo("past_due");
        assertThat(db.queryString("SELECT latest_invoice_status || '/' || payment_attempt_count FROM subscriptions WHERE id = ?",
                subscriptionId)).isEqualTo("open/1");
        assertThat(usage(user).plan()).as("past_due keeps the plan while Stripe retries").isEqualTo("pro");

        outcome(ofType(helper("/_standin/subscriptions/" + subscriptionId + "/pay", ""), "invoice.paid"));

        assertThat(subscriptionStatus(subscriptionId)).isEqualTo("active");
        assertThat(db.queryString("SELECT latest_invoice_status FROM subscriptions WHERE id = ?", subscriptionId)).isEqualTo("paid");
    }

    @Test
    void aPlanChangeTakesEffectWhenItsEventArrives() throws Exception {
        TestUser user = db.createUser();
        paidCheckout(user, "pro").forEach(this::outcome);
        String subscriptionId = db.queryString("SELECT id FROM subscriptions WHERE user_id = ?", user.id());

        outcome(ofType(helper("/_standin/subscriptions/" + subscriptionId + "/change_plan", "plan=business"),
                "customer.subscription.updated"));

        assertThat(usage(user).plan()).isEqualTo("business");
        assertThat(usage(user).limit()).isEqualTo(500);
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void forgedWrongSecretStaleAndMissingSignaturesAreRejectedWithNothingChanged() throws Exception {
        TestUser user = db.createUser();
        JsonNode created = ofType(paidCheckout(user, "pro"), "customer.subscription.created");
        String body = Json.write(created);
        long now = Instant.now().getEpochSecond();
        String tampered = body.replace("\"active\"", "\"trialing\"");
        int requestsBefore = stripe.requests().size();

        Map<String, APIGatewayV2HTTPEvent> attempts = new LinkedHashMap<>();
        attempts.put("forged (signature of another body)", request(body, StripeWebhookSender.signatureHeader(tampered, SECRET, now)));
        attempts.put("changed body", request(tampered, signedNow(body, SECRET)));
        attempts.put("wrong secret", request(body, signedNow(body, "whsec_someone_else")));
        attempts.put("stale timestamp", request(body, StripeWebhookSender.signatureHeader(body, SECRET, now - 301)));
        attempts.put("missing header", request(body, null));
        attempts.put("garbage header", request(body, "v1=deadbeef"));

        attempts.forEach((what, event) -> {
            APIGatewayV2HTTPResponse response = handler.handleRequest(event, new TestContext());
            assertThat(response.getStatusCode()).as(what + ": " + response.getBody()).isEqualTo(400);
            assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
        });
        assertThat(recorded(created.path("id").asText())).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM subscriptions WHERE user_id = ?", user.id())).isZero();
        assertThat(stripe.requests()).hasSize(requestsBefore);
        // A timestamp just inside the 300 s tolerance is accepted.
        assertThat(handler.handleRequest(request(body, StripeWebhookSender.signatureHeader(body, SECRET, now - 290)),
                new TestContext()).getStatusCode()).isEqualTo(200);
    }

    @Test
    void withoutAConfiguredSecretEveryEventIsRefused() throws Exception {
        TestUser user = db.createUser();
        JsonNode created = ofType(paidCheckout(user, "pro"), "customer.subscription.created");

        APIGatewayV2HTTPResponse response = deliver(handler(null), created);

        assertThat(response.getStatusCode()).isEqualTo(503);
        assertThat(recorded(created.path("id").asText())).isZero();
        assertThat(usage(user).plan()).isEqualTo("free");
    }

    @Test
    void theSampleEventIsGenuinelySignedButTooOldToAccept() {
        StripeWebhookHandler local = handler(LocalStripe.DEFAULT_WEBHOOK_SECRET);
        APIGatewayV2HTTPEvent sample = Events.http("apigw/http_api_stripe_webhook.json");

        assertThat(local.handleRequest(sample, new TestContext()).getStatusCode()).isEqualTo(400);
        // Re-signed now, the same bytes verify: the sample's signature was only too old.
        String body = sample.getBody();
        APIGatewayV2HTTPResponse fresh = local.handleRequest(request(body, signedNow(body, LocalStripe.DEFAULT_WEBHOOK_SECRET)),
                new TestContext());
        assertThat(fresh.getStatusCode()).as(fresh.getBody()).isNotEqualTo(400);
    }

    @Test
    void aBase64EncodedBodyIsVerifiedOnItsDecodedBytes() throws Exception {
        TestUser user = db.createUser();
        JsonNode created = ofType(paidCheckout(user, "pro"), "customer.subscription.created");
        String body = Json.write(created);
        APIGatewayV2HTTPEvent event = request(Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)),
                signedNow(body, SECRET));
        event.setIsBase64Encoded(true);

        APIGatewayV2HTTPResponse response = handler.handleRequest(event, new TestContext());

        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        assertThat(usage(user).plan()).isEqualTo("pro");
    }

    @Test
    void otherEventTypesAreAcknowledgedAndIgnored() {
        ObjectNode event = (ObjectNode) Json.read(Events.text("stripe/customer_subscription_created.json"));
        event.put("id", "evt_ignored_" + System.nanoTime()).put("type", "customer.updated");
        int requestsBefore = stripe.requests().size();

        assertThat(outcome(event)).isEqualTo("ignored");
        assertThat(outcome(event)).isEqualTo("duplicate");
        assertThat(stripe.requests()).hasSize(requestsBefore);
    }

    // ------------------------------------------------------------------ effects that cannot happen yet

    @Test
    void anEventOfACustomerNoOneCanBeLinkedToIsNotRecordedUntilItCanBeApplied() throws Exception {
        TestUser user = db.createUser();
        // A customer and session made without our metadata (e.g. by hand in the dashboard).
        StripeClient client = StripeClient.builder().setApiKey(KEY).setApiBase(stripe.baseUrl().toString()).build();
        String customer = client.v1().customers().create(CustomerCreateParams.builder().setEmail(user.email()).build()).getId();
        String session = client.v1().checkout().sessions().create(SessionCreateParams.builder()
                .setMode(SessionCreateParams.Mode.SUBSCRIPTION).setCustomer(customer).setSuccessUrl("https://app.example/ok")
                .addLineItem(SessionCreateParams.LineItem.builder().setPrice(PRO).setQuantity(1L).build()).build()).getId();
        JsonNode created = ofType(helper("/_standin/checkout/sessions/" + session + "/complete", ""), "customer.subscription.created");

        APIGatewayV2HTTPResponse refused = deliver(handler, created);

        assertThat(refused.getStatusCode()).isEqualTo(409);
        assertThat(recorded(created.path("id").asText())).isZero();

        // Once the customer is linked (here by hand), Stripe's redelivery applies it.
        db.update("UPDATE users SET stripe_customer_id = ? WHERE id = ?", customer, user.id());
        assertThat(outcome(created)).isEqualTo("applied");
        assertThat(usage(user).plan()).isEqualTo("pro");
    }

    @Test
    void whileStripeIsDownTheEventIsLeftForRedelivery() throws Exception {
        TestUser user = db.createUser();
        JsonNode created = ofType(paidCheckout(user, "pro"), "customer.subscription.created");
        stripe.down(true);
        APIGatewayV2HTTPResponse refused;
        try {
            refused = deliver(handler, created);
        } finally {
            stripe.down(false);
        }

        assertThat(refused.getStatusCode()).isEqualTo(503);
        assertThat(recorded(created.path("id").asText())).isZero();
        assertThat(outcome(created)).isEqualTo("applied");
        assertThat(usage(user).plan()).isEqualTo("pro");
    }
}
