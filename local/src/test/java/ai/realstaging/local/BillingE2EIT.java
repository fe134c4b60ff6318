package ai.realstaging.local;

// end-to-end: billing over HTTP through the local stack (gateway with its JWT check, projects and stripe-webhook
// functions, real PostgreSQL, the Stripe stand-in that stripe-java is pointed at), events posted as `stripe trigger` does;
// every response of the API, the webhook's included, held to openapi.yaml

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.http.Json;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.local.contract.ResponseContract;
import ai.realstaging.local.contract.ResponseLeaks;
import ai.realstaging.local.stripe.LocalStripe;
import ai.realstaging.local.stripe.StripeTrigger;
import ai.realstaging.local.stripe.StripeWebhookSender;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BillingE2EIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ResponseContract CONTRACT = ResponseContract.ofRepository();
    private LocalStack stack;
    private StripeTrigger trigger;

    @BeforeAll
    void start(@TempDir Path home) throws Exception {
        LocalStack.Options options = new LocalStack.Options(Cli.root(), "127.0.0.1", 0, 0,
                TestDatabase.shared().databaseUrlSetting(), null, null, null, home);
        stack = LocalStack.start(options, LocalStripe.fromEnvironment(0));
        trigger = new StripeTrigger(HTTP, stack.apiUrl(), stack.stripe().baseUrl(), stack.stripeSettings().webhookSecret(),
                BillingE2EIT::checked);
    }

    @AfterAll
    void stop() {
        if (stack != null) stack.close();
    }

    private String token(String user) {
        return stack.issuer().mint(user + "-billing-e2e", false, Duration.ofHours(1));
    }

    private ApiClient as(String user) {
        return new ApiClient(HTTP, stack.apiUrl(), token(user), BillingE2EIT::checked);
    }

    private StripeWebhookSender webhook(String secret) {
        return new StripeWebhookSender(HTTP, stack.apiUrl().resolve("/v1/webhooks/stripe"), secret);
    }

    /** The webhook's answer, held to openapi.yaml and, when an error, giving nothing away. */
    private static HttpResponse<String> checked(HttpResponse<String> response) {
        checked(response.request(), response);
        return response;
    }

    /** Every exchange with the API: held to openapi.yaml and, when an error, giving nothing away. */
    private static void checked(java.net.http.HttpRequest request, HttpResponse<String> response) {
        CONTRACT.check(request, response);
        if (response.statusCode() >= 400) {
            assertThat(ResponseLeaks.in(response.body())).as(request.method() + " " + request.uri() + " -> "
                    + response.statusCode() + " " + response.body()).isEmpty();
        }
    }

    private List<StripeTrigger.Delivery> trigger(String event, String user, String plan) throws Exception {
        List<StripeTrigger.Delivery> deliveries = trigger.trigger(event, token(user), plan);
        assertThat(deliveries).isNotEmpty().allSatisfy(d -> assertThat(d.status()).as(d.toString()).isEqualTo(200));
        return deliveries;
    }

    @Test
    void checkoutThenTheWebhookRaisesTheLimitAndEverythingShowsThePaidPlan() throws Exception {
        ApiClient api = as("carol");
        JsonNode before = api.get("/v1/billing/usage").body();
        assertThat(before.path("plan").asText()).isEqualTo("free");
        assertThat(before.path("limit").asInt()).isEqualTo(10);

        ApiClient.Reply checkout = api.post("/v1/billing/checkout", Map.of("plan", "pro"));
        assertThat(checkout.status()).as(String.valueOf(checkout.body())).isEqualTo(201);
        assertThat(checkout.body().path("url").asText()).startsWith(stack.stripe().baseUrl().toString());
        assertThat(checkout.body().path("plan").asText()).isEqualTo("pro");
        assertThat(checkout.body().has("reused")).isFalse();
        // The session carries our user id where the webhook will look for it.
        JsonNode session = stripeGet("/v1/checkout/sessions/" + checkout.body().path("id").asText());
        String customer = session.path("customer").asText();
        assertThat(session.path("client_reference_id").asText()).isNotBlank();
        assertThat(stripeGet("/v1/customers/" + customer).path("metadata").path("user_id").asText())
                .isEqualTo(session.path("client_reference_id").asText());

        // Paid at the stand-in (the session just opened is completed), events delivered to the webhook.
        var completed = stack.stripe().baseUrl().resolve("/_standin/checkout/sessions/" + checkout.body().path("id").asText() + "/complete");
        JsonNode events = ai.realstaging.common.http.Json.read(HTTP.send(java.net.http.HttpRequest.newBuilder(completed)
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body()).path("events");
        StripeWebhookSender sender = webhook(stack.stripeSettings().webhookSecret());
        for (JsonNode event : events) {
            HttpResponse<String> delivered = checked(sender.send(Json.write(event)));
            assertThat(delivered.statusCode()).as(delivered.body()).isEqualTo(200);
            assertThat(Json.read(delivered.body()).path("outcome").asText()).isIn("applied", "ignored");
        }
        // Stripe delivers at least once: the same event again changes nothing.
        HttpResponse<String> again = checked(sender.send(Json.write(events.get(0))));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(Json.read(again.body()).path("outcome").asText()).isEqualTo("duplicate");

        JsonNode usage = api.get("/v1/billing/usage").body();
        assertThat(usage.path("plan").asText()).isEqualTo("pro");
        assertThat(usage.path("limit").asInt()).isEqualTo(100);
        assertThat(usage.path("remaining").asInt()).isEqualTo(100);
        assertThat(Instant.parse(usage.path("period_end").asText()))
                .isAfter(Instant.parse(usage.path("period_start").asText()).plus(Duration.ofDays(27)));

        assertThat(api.get("/v1/me").body().path("plan").asText()).isEqualTo("pro");
        JsonNode subscription = api.get("/v1/billing/subscription").body();
        assertThat(subscription.path("plan").asText()).isEqualTo("pro");
        assertThat(subscription.path("status").asText()).isEqualTo("active");
        assertThat(subscription.path("payment_failed").asBoolean()).isFalse();
        assertThat(subscription.path("latest_payment").path("status").asText()).isEqualTo("paid");

        JsonNode invoices = api.get("/v1/billing/invoices").body();
        assertThat(invoices.path("items")).hasSize(1);
        assertThat(invoices.path("items").path(0).path("status").asText()).isEqualTo("paid");
        assertThat(invoices.path("items").path(0).path("amount_paid").asLong()).isEqualTo(2900);
        assertThat(invoices.has("next_cursor")).isTrue();

        ApiClient.Reply portal = api.post("/v1/billing/portal", "");
        assertThat(portal.status()).isEqualTo(201);
        assertThat(portal.body().path("url").asText()).startsWith(stack.stripe().baseUrl() + "/p/session/");

        ApiClient.Reply second = api.post("/v1/billing/checkout", Map.of("plan", "business"));
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.body().path("detail").asText()).contains("billing portal");
    }

    @Test
    void theTriggerCommandsMoveTheSubscriptionThroughItsLife() throws Exception {
        ApiClient api = as("dave");
        trigger("checkout.session.completed", "dave", "business");
        assertThat(api.get("/v1/billing/usage").body().path("limit").asInt()).isEqualTo(500);

        trigger("invoice.payment_failed", "dave", "pro");
        JsonNode failing = api.get("/v1/billing/subscription").body();
        assertThat(failing.path("status").asText()).isEqualTo("past_due");
        assertThat(failing.path("payment_failed").asBoolean()).isTrue();
        assertThat(failing.path("latest_payment").path("status").asText()).isEqualTo("failed");
        assertThat(failing.path("latest_payment").path("attempt_count").asInt()).isEqualTo(1);
        assertThat(failing.path("latest_payment").has("next_payment_attempt")).isTrue();

        trigger("invoice.paid", "dave", "pro");
        assertThat(api.get("/v1/billing/subscription").body().path("status").asText()).isEqualTo("active");

        trigger("customer.subscription.updated", "dave", "pro");
        assertThat(api.get("/v1/billing/usage").body().path("limit").asInt()).isEqualTo(100);

        trigger("customer.subscription.deleted", "dave", "pro");
        JsonNode ended = api.get("/v1/billing/subscription").body();
        assertThat(ended.path("plan").asText()).isEqualTo("free");
        assertThat(ended.path("status").asText()).isEqualTo("canceled");
        assertThat(api.get("/v1/billing/usage").body().path("limit").asInt()).isEqualTo(10);
        // Ended, so a new checkout is allowed again.
        assertThat(api.post("/v1/billing/checkout", Map.of("plan", "pro")).status()).isEqualTo(201);
    }

    @Test
    void aFreeUserWithNoStripeCustomerGetsAPortal409WithAClearMessage() throws Exception {
        ApiClient api = as("erin");

        ApiClient.Reply portal = api.post("/v1/billing/portal", "");

        assertThat(portal.status()).isEqualTo(409);
        assertThat(portal.contentType()).startsWith("application/problem+json");
        assertThat(portal.body().path("detail").asText()).contains("no billing account").contains("/v1/billing/checkout");
        JsonNode subscription = api.get("/v1/billing/subscription").body();
        assertThat(subscription.path("plan").asText()).isEqualTo("free");
        assertThat(subscription.path("status").asText()).isEqualTo("none");
        assertThat(api.get("/v1/billing/invoices").body().path("items")).isEmpty();
    }

    @Test
    void checkoutNeedsAPaidPlanOfTheCatalogue() throws Exception {
        ApiClient api = as("frank");
        for (String body : List.of("{}", "{\"plan\":42}", "{\"plan\":\"gold\"}", "{\"plan\":\"free\"}")) {
            ApiClient.Reply reply = api.post("/v1/billing/checkout", body);
            assertThat(reply.status()).as(body).isEqualTo(422);
            assertThat(reply.body().path("errors").path(0).path("field").asText()).isEqualTo("plan");
        }
        assertThat(api.post("/v1/billing/checkout", "plan=pro").status()).isEqualTo(400);
        assertThat(new ApiClient(HTTP, stack.apiUrl(), null, BillingE2EIT::checked).post("/v1/billing/checkout",
                Map.of("plan", "pro")).status()).isEqualTo(401);
        assertThat(api.get("/v1/billing/invoices?limit=0&cursor=nope").body().path("errors")).hasSize(2);
    }

    @Test
    void aUserHasOneOpenCheckoutAtATime() throws Exception {
        ApiClient api = as("grace");
        ApiClient.Reply first = api.post("/v1/billing/checkout", Map.of("plan", "pro"));
        ApiClient.Reply again = api.post("/v1/billing/checkout", Map.of("plan", "pro"));
        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().path("id").asText()).isEqualTo(first.body().path("id").asText());

        ApiClient.Reply other = api.post("/v1/billing/checkout", Map.of("plan", "business"));

        assertThat(other.status()).isEqualTo(201);
        assertThat(other.body().path("id").asText()).isNotEqualTo(first.body().path("id").asText());
        assertThat(stripeGet("/v1/checkout/sessions/" + first.body().path("id").asText()).path("status").asText())
                .isEqualTo("expired");
        // Both sessions belong to one Stripe customer.
        assertThat(stripeGet("/v1/checkout/sessions/" + other.body().path("id").asText()).path("customer").asText())
                .isEqualTo(stripeGet("/v1/checkout/sessions/" + first.body().path("id").asText()).path("customer").asText());
    }

    @Test
    void invoicesArePagedNewestFirstAndACursorNamingNoInvoiceIsRefused() throws Exception {
        ApiClient api = as("heidi");
        trigger("checkout.session.completed", "heidi", "pro");
        trigger("invoice.payment_failed", "heidi", "pro");

        JsonNode first = api.get("/v1/billing/invoices?limit=1").body();
        assertThat(first.path("items")).hasSize(1);
        assertThat(first.path("items").path(0).path("status").asText()).isEqualTo("open");
        assertThat(first.path("next_cursor").isTextual()).isTrue();
        JsonNode second = api.get("/v1/billing/invoices?limit=1&cursor=" + first.path("next_cursor").asText()).body();
        assertThat(second.path("items")).hasSize(1);
        assertThat(second.path("items").path(0).path("status").asText()).isEqualTo("paid");
        assertThat(second.path("next_cursor").isNull()).isTrue();

        // Well formed, but naming an invoice Stripe does not know: the caller's mistake, not a 500.
        String madeUp = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("invoice:in_DoesNotExist0000".getBytes(StandardCharsets.UTF_8));
        ApiClient.Reply refused = api.get("/v1/billing/invoices?cursor=" + madeUp);
        assertThat(refused.status()).as(String.valueOf(refused.body())).isEqualTo(422);
        assertThat(refused.body().path("errors").path(0).path("field").asText()).isEqualTo("cursor");

        // Another user's cursor lists only that user's own invoices.
        ApiClient other = as("ivan");
        trigger("checkout.session.completed", "ivan", "pro");
        List<String> heidis = List.of(first.path("items").path(0).path("id").asText(),
                second.path("items").path(0).path("id").asText());
        JsonNode ivans = other.get("/v1/billing/invoices?cursor=" + first.path("next_cursor").asText()).body();
        assertThat(ivans.path("items").findValuesAsText("id")).doesNotContainAnyElementsOf(heidis);
        assertThat(other.get("/v1/billing/invoices").body().path("items").findValuesAsText("id"))
                .hasSize(1).doesNotContainAnyElementsOf(heidis);
    }

    @Test
    void theWebhookRouteNeedsNoTokenButRefusesUnsignedEvents() throws Exception {
        StripeWebhookSender unsigned = webhook("x");
        String event = ai.realstaging.common.testing.Events.text("stripe/customer_subscription_created.json");

        assertThat(checked(unsigned.send(event, null)).statusCode()).isEqualTo(400);
        assertThat(checked(unsigned.send(event)).statusCode()).as("signed with another secret").isEqualTo(400);
        assertThat(checked(unsigned.send(event, "t=1764547202,v1=00")).statusCode()).as("a made-up signature")
                .isEqualTo(400);
    }

    @Test
    void aSignedEventOfATypeWeDoNotActOnIsIgnored() throws Exception {
        String event = Json.write(Map.of("id", "evt_ignored" + System.nanoTime(), "object", "event",
                "type", "customer.created", "created", Instant.now().getEpochSecond(),
                "data", Map.of("object", Map.of("id", "cus_ignored", "object", "customer"))));

        HttpResponse<String> answer = checked(webhook(stack.stripeSettings().webhookSecret()).send(event));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(Json.read(answer.body()).path("outcome").asText()).isEqualTo("ignored");
    }

    private JsonNode stripeGet(String path) throws Exception {
        var response = HTTP.send(java.net.http.HttpRequest.newBuilder(stack.stripe().baseUrl().resolve(path))
                .header("Authorization", "Bearer " + stack.stripeSettings().secretKey()).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ai.realstaging.common.http.Json.read(response.body());
    }
}
