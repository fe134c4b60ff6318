package ai.realstaging.local.stripe;

import ai.realstaging.common.http.Json;
import ai.realstaging.local.ApiClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code realstaging stripe trigger}: makes something happen at the Stripe stand-in for one user, as
 * {@code stripe trigger} does in test mode, and posts the resulting events, signed, to the webhook.
 * Checkout goes through our own API (so the customer and session carry the user's id); the other
 * events act on the user's subscription.
 */
public final class StripeTrigger {
    /** The events it can make, each with what it does. */
    public static final Map<String, String> EVENTS = Map.of(
            "checkout.session.completed", "checkout for --plan (default pro), paid",
            "customer.subscription.created", "same as checkout.session.completed",
            "customer.subscription.updated", "plan change to --plan (as the Customer Portal does)",
            "customer.subscription.deleted", "the subscription is canceled now",
            "invoice.payment_failed", "a charge is declined: invoice open, subscription past_due",
            "invoice.paid", "the open invoice is paid: subscription active again");

    /** One event delivered: its id, type and the webhook's answer. */
    public record Delivery(String eventId, String type, int status, String response) {}

    private final HttpClient http;
    private final URI api;
    private final URI standIn;
    private final StripeWebhookSender sender;
    private final ApiClient.Observer observer;

    public StripeTrigger(HttpClient http, URI api, URI standIn, String webhookSecret) {
        this(http, api, standIn, webhookSecret, (request, response) -> { });
    }

    /** {@code observer} sees each exchange with the API: the user's calls and the webhook deliveries. */
    public StripeTrigger(HttpClient http, URI api, URI standIn, String webhookSecret, ApiClient.Observer observer) {
        this.http = http;
        this.api = api;
        this.standIn = standIn;
        this.sender = new StripeWebhookSender(http, api.resolve("/v1/webhooks/stripe"), webhookSecret);
        this.observer = observer;
    }

    /** Thrown with a message for the person at the terminal. */
    public static final class TriggerException extends Exception {
        public TriggerException(String message) {
            super(message);
        }
    }

    public List<Delivery> trigger(String event, String token, String plan)
            throws IOException, InterruptedException, TriggerException {
        if (!EVENTS.containsKey(event)) {
            throw new TriggerException("cannot trigger " + event + "; supported: " + String.join(", ", EVENTS.keySet()));
        }
        ApiClient user = new ApiClient(http, api, token, observer);
        JsonNode events = switch (event) {
            case "checkout.session.completed", "customer.subscription.created" -> {
                ApiClient.Reply checkout = user.post("/v1/billing/checkout", Map.of("plan", plan));
                if (checkout.status() != 200 && checkout.status() != 201) {
                    throw new TriggerException("checkout refused (" + checkout.status() + "): " + detail(checkout));
                }
                yield helper("/_standin/checkout/sessions/" + checkout.body().path("id").asText() + "/complete", Map.of());
            }
            case "customer.subscription.updated" -> helper(subscription(user) + "/change_plan", Map.of("plan", plan));
            case "customer.subscription.deleted" -> helper(subscription(user) + "/cancel", Map.of());
            case "invoice.payment_failed" -> helper(subscription(user) + "/fail_payment", Map.of());
            default -> helper(subscription(user) + "/pay", Map.of());
        };
        List<Delivery> deliveries = new ArrayList<>();
        for (JsonNode e : events) {
            HttpResponse<String> response = sender.send(Json.write(e));
            observer.exchanged(response.request(), response);
            deliveries.add(new Delivery(e.path("id").asText(), e.path("type").asText(), response.statusCode(), response.body()));
        }
        return deliveries;
    }

    private String subscription(ApiClient user) throws IOException, InterruptedException, TriggerException {
        ApiClient.Reply reply = user.get("/v1/billing/subscription");
        String id = reply.body() == null ? "" : reply.body().path("subscription_id").asText("");
        if (reply.status() != 200 || id.isEmpty()) {
            throw new TriggerException("the user has no subscription yet; trigger checkout.session.completed first");
        }
        return "/_standin/subscriptions/" + id;
    }

    private JsonNode helper(String path, Map<String, String> form) throws IOException, InterruptedException, TriggerException {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(standIn.resolve(path)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new TriggerException("no Stripe stand-in answers at " + standIn + " (the local stack uses it unless"
                    + " STRIPE_SECRET_KEY is set; with real Stripe use the Stripe CLI: stripe listen --forward-to "
                    + api.resolve("/v1/webhooks/stripe") + ")");
        }
        JsonNode reply = Json.read(response.body());
        if (response.statusCode() != 200) {
            throw new TriggerException("the Stripe stand-in refused: " + reply.path("error").path("message").asText());
        }
        return reply.path("events");
    }

    private static String detail(ApiClient.Reply reply) {
        return reply.body() == null ? "" : reply.body().path("detail").asText(reply.body().toString());
    }
}
