package ai.realstaging.local.stripe;

import ai.realstaging.common.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the part of Stripe's API this service uses, with state, speaking Stripe's wire format
 * (form-encoded requests, JSON objects, error envelopes, Bearer key, Idempotency-Key replay), so
 * stripe-java can be pointed at it through its API base: customers, subscription-mode Checkout
 * sessions (create, retrieve, expire), Customer Portal sessions, subscriptions (retrieve, expand
 * latest_invoice) and invoices (list). Payments happen through helpers under {@code /_standin/}, which
 * change the state as Stripe would and answer the events Stripe would send, for the caller to deliver
 * signed (see {@link StripeWebhookSender}).
 */
public final class StripeStandIn implements AutoCloseable {
    public static final String API_VERSION = "2026-07-29.dahlia";

    /** A recurring monthly price of a plan. */
    public record Price(String planId, String priceId, long unitAmount) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final String apiKey;
    private final Map<String, ObjectNode> prices = new LinkedHashMap<>();
    private final Map<String, String> priceByPlan = new HashMap<>();
    private final Map<String, ObjectNode> customers = new LinkedHashMap<>();
    private final Map<String, ObjectNode> sessions = new LinkedHashMap<>();
    private final Map<String, ObjectNode> subscriptions = new LinkedHashMap<>();
    private final Map<String, ObjectNode> invoices = new LinkedHashMap<>();
    private final Map<String, String[]> idempotent = new HashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile boolean down;
    private int invoiceNumber;

    private StripeStandIn(HttpServer server, String apiKey, List<Price> catalogue) {
        this.server = server;
        this.apiKey = apiKey;
        for (Price p : catalogue) {
            ObjectNode price = Json.MAPPER.createObjectNode();
            price.put("id", p.priceId()).put("object", "price").put("active", true).put("currency", "usd")
                    .put("unit_amount", p.unitAmount()).put("lookup_key", p.planId()).put("type", "recurring")
                    .put("product", "prod_" + p.planId()).put("livemode", false);
            price.putObject("recurring").put("interval", "month").put("interval_count", 1);
            prices.put(p.priceId(), price);
            priceByPlan.put(p.planId(), p.priceId());
        }
    }

    public static StripeStandIn start(String host, int port, String apiKey, List<Price> catalogue) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
        StripeStandIn standIn = new StripeStandIn(server, apiKey, catalogue);
        server.createContext("/", standIn::serve);
        server.setExecutor(standIn.executor);
        server.start();
        return standIn;
    }

    public URI baseUrl() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort());
    }

    /** "METHOD /path" of every API request so far (not the helpers), for tests that count calls. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** While down, every API request answers 500 api_error, as during a Stripe incident. */
    public void down(boolean value) {
        this.down = value;
    }

    // ------------------------------------------------------------------ HTTP

    private record Reply(int status, String body) {}

    private static final Pattern CUSTOMER = Pattern.compile("/v1/customers/([^/]+)");
    private static final Pattern SESSION = Pattern.compile("/v1/checkout/sessions/([^/]+)");
    private static final Pattern SESSION_EXPIRE = Pattern.compile("/v1/checkout/sessions/([^/]+)/expire");
    private static final Pattern SUBSCRIPTION = Pattern.compile("/v1/subscriptions/([^/]+)");
    private static final Pattern COMPLETE = Pattern.compile("/_standin/checkout/sessions/([^/]+)/complete");
    private static final Pattern HELPER = Pattern.compile("/_standin/subscriptions/([^/]+)/(change_plan|cancel|fail_payment|pay)");
    private static final Pattern PAGE = Pattern.compile("/(c/pay|p/session)/([^/]+)");

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            ObjectNode params = FormBody.parse(method.equals("GET") ? exchange.getRequestURI().getRawQuery() : body);
            Reply reply;
            if (path.startsWith("/v1/")) {
                requests.add(method + " " + path);
                reply = api(exchange, method, path, params);
            } else if (path.startsWith("/_standin/") && method.equals("POST")) {
                synchronized (this) {
                    reply = helper(path, params);
                }
            } else {
                Matcher page = PAGE.matcher(path);
                reply = page.matches() && method.equals("GET")
                        ? new Reply(200, "Stand-in Stripe page for " + page.group(2) + ". Nothing to do here: complete a"
                                + " Checkout session with ./realstaging stripe trigger checkout.session.completed.\n")
                        : error(404, "invalid_request_error", "resource_missing", "Unrecognized request URL (" + method + ": " + path + ")", null);
            }
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", reply.body().startsWith("{") ? "application/json" : "text/plain");
            exchange.getResponseHeaders().set("Request-Id", "req_" + random(14));
            exchange.getResponseHeaders().set("Stripe-Version", API_VERSION);
            exchange.sendResponseHeaders(reply.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private Reply api(HttpExchange exchange, String method, String path, ObjectNode params) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.equals("Bearer " + apiKey)) {
            return error(401, "invalid_request_error", null, "Invalid API Key provided", null);
        }
        if (down) return error(500, "api_error", null, "An unexpected error occurred (stand-in is down)", null);
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        synchronized (this) {
            if (method.equals("POST") && key != null && idempotent.containsKey(key)) {
                String[] replay = idempotent.get(key);
                return new Reply(Integer.parseInt(replay[0]), replay[1]);
            }
            Reply reply = route(method, path, params);
            if (method.equals("POST") && key != null && reply.status() < 500) {
                idempotent.put(key, new String[] {String.valueOf(reply.status()), reply.body()});
            }
            return reply;
        }
    }

    private Reply route(String method, String path, ObjectNode params) {
        Matcher m;
        if (method.equals("POST") && path.equals("/v1/customers")) return createCustomer(params);
        if (method.equals("GET") && (m = CUSTOMER.matcher(path)).matches()) return found(customers, "customer", m.group(1));
        if (method.equals("POST") && path.equals("/v1/checkout/sessions")) return createSession(params);
        if (method.equals("POST") && (m = SESSION_EXPIRE.matcher(path)).matches()) return expireSession(m.group(1));
        if (method.equals("GET") && (m = SESSION.matcher(path)).matches()) return found(sessions, "checkout.session", m.group(1));
        if (method.equals("POST") && path.equals("/v1/billing_portal/sessions")) return createPortalSession(params);
        if (method.equals("GET") && (m = SUBSCRIPTION.matcher(path)).matches()) return subscription(m.group(1), params);
        if (method.equals("GET") && path.equals("/v1/invoices")) return listInvoices(params);
        return error(404, "invalid_request_error", null, "Unrecognized request URL (" + method + ": " + path
                + "). The stand-in serves only what Real Staging AI calls.", null);
    }

    // ------------------------------------------------------------------ API

    private Reply createCustomer(JsonNode params) {
        ObjectNode customer = object("cus_", "customer");
        customer.put("email", params.path("email").isTextual() ? params.path("email").asText() : null);
        customer.set("metadata", metadata(params));
        customer.put("delinquent", false).putNull("default_source");
        customers.put(customer.path("id").asText(), customer);
        return ok(customer);
    }

    private Reply createSession(JsonNode params) {
        if (!"subscription".equals(params.path("mode").asText())) {
            return error(400, "invalid_request_error", "parameter_invalid", "The stand-in supports mode=subscription only", "mode");
        }
        String customerId = params.path("customer").asText(null);
        if (customerId == null || !customers.containsKey(customerId)) {
            return error(400, "invalid_request_error", "resource_missing", "No such customer: '" + customerId + "'", "customer");
        }
        String priceId = params.path("line_items").path("0").path("price").asText(null);
        if (priceId == null || !prices.containsKey(priceId)) {
            return error(400, "invalid_request_error", "resource_missing", "No such price: '" + priceId + "'", "line_items[0][price]");
        }
        if (!params.path("success_url").isTextual()) {
            return error(400, "invalid_request_error", "parameter_missing", "Missing required param: success_url.", "success_url");
        }
        ObjectNode session = object("cs_test_", "checkout.session");
        String id = session.path("id").asText();
        session.put("mode", "subscription").put("status", "open").put("payment_status", "unpaid")
                .put("customer", customerId).put("client_reference_id", params.path("client_reference_id").asText(null))
                .putNull("subscription").put("url", baseUrl() + "/c/pay/" + id)
                .put("success_url", params.path("success_url").asText())
                .put("cancel_url", params.path("cancel_url").asText(null))
                .put("expires_at", now() + 24 * 3600).put("currency", "usd")
                .put("amount_total", prices.get(priceId).path("unit_amount").asLong());
        session.set("metadata", metadata(params));
        session.putObject("customer_details").put("email", customers.get(customerId).path("email").asText(null));
        // Not part of Stripe's object; kept to build the subscription when the session is paid.
        session.putObject("_standin").put("price", priceId).set("subscription_metadata",
                params.path("subscription_data").path("metadata").isObject()
                        ? params.path("subscription_data").path("metadata").deepCopy() : Json.MAPPER.createObjectNode());
        sessions.put(id, session);
        return ok(session);
    }

    private Reply expireSession(String id) {
        ObjectNode session = sessions.get(id);
        if (session == null) return missing("checkout.session", id);
        if (!"open".equals(session.path("status").asText())) {
            return error(400, "invalid_request_error", null,
                    "Only Checkout Sessions with a status in [\"open\"] can be expired.", null);
        }
        session.put("status", "expired").putNull("url");
        return ok(session);
    }

    private Reply createPortalSession(JsonNode params) {
        String customerId = params.path("customer").asText(null);
        if (customerId == null || !customers.containsKey(customerId)) {
            return error(400, "invalid_request_error", "resource_missing", "No such customer: '" + customerId + "'", "customer");
        }
        ObjectNode session = object("bps_", "billing_portal.session");
        session.put("customer", customerId).put("return_url", params.path("return_url").asText(null))
                .put("url", baseUrl() + "/p/session/" + session.path("id").asText());
        return ok(session);
    }

    private Reply subscription(String id, JsonNode params) {
        ObjectNode subscription = subscriptions.get(id);
        if (subscription == null) return missing("subscription", id);
        ObjectNode copy = subscription.deepCopy();
        if (FormBody.list(params, "expand").contains("latest_invoice") && copy.path("latest_invoice").isTextual()) {
            copy.set("latest_invoice", invoices.get(copy.path("latest_invoice").asText()).deepCopy());
        }
        return ok(copy);
    }

    private Reply listInvoices(JsonNode params) {
        String customerId = params.path("customer").asText(null);
        int limit = params.path("limit").asInt(10);
        String after = params.path("starting_after").asText(null);
        // Newest first; starting_after names any invoice (Stripe's refuses an id it does not know) and the list
        // goes on with the customer's invoices older than it.
        List<ObjectNode> newestFirst = new ArrayList<>(invoices.values());
        java.util.Collections.reverse(newestFirst);
        if (after != null) {
            int at = -1;
            for (int i = 0; i < newestFirst.size(); i++) {
                if (newestFirst.get(i).path("id").asText().equals(after)) at = i;
            }
            if (at < 0) {
                return error(400, "invalid_request_error", "resource_missing", "No such invoice: '" + after + "'",
                        "starting_after");
            }
            newestFirst = newestFirst.subList(at + 1, newestFirst.size());
        }
        List<ObjectNode> all = newestFirst.stream()
                .filter(i -> customerId == null || customerId.equals(i.path("customer").asText())).toList();
        List<ObjectNode> page = all.subList(0, Math.min(limit, all.size()));
        ObjectNode list = Json.MAPPER.createObjectNode().put("object", "list").put("url", "/v1/invoices")
                .put("has_more", limit < all.size());
        ArrayNode data = list.putArray("data");
        page.forEach(data::add);
        return ok(list);
    }

    // ------------------------------------------------------------------ helpers: what paying does

    private Reply helper(String path, JsonNode params) {
        Matcher m = COMPLETE.matcher(path);
        if (m.matches()) return completeCheckout(m.group(1));
        m = HELPER.matcher(path);
        if (!m.matches()) return error(404, "invalid_request_error", null, "No such stand-in helper: " + path, null);
        ObjectNode subscription = subscriptions.get(m.group(1));
        if (subscription == null) return missing("subscription", m.group(1));
        if (!"canceled".equals(subscription.path("status").asText()) || m.group(2).equals("cancel")) {
            return switch (m.group(2)) {
                case "change_plan" -> changePlan(subscription, params.path("plan").asText(""));
                case "cancel" -> cancel(subscription);
                case "fail_payment" -> failPayment(subscription);
                default -> pay(subscription);
            };
        }
        return error(400, "invalid_request_error", null, "The subscription is canceled", null);
    }

    /** The customer paid: a subscription with its first invoice, paid; the session completes. */
    private Reply completeCheckout(String sessionId) {
        ObjectNode session = sessions.get(sessionId);
        if (session == null) return missing("checkout.session", sessionId);
        if (!"open".equals(session.path("status").asText())) {
            return error(400, "invalid_request_error", null, "This Checkout Session is " + session.path("status").asText(), null);
        }
        String priceId = session.path("_standin").path("price").asText();
        ObjectNode subscription = object("sub_", "subscription");
        String subscriptionId = subscription.path("id").asText();
        long start = now();
        long end = monthAfter(start);
        subscription.put("customer", session.path("customer").asText()).put("status", "active")
                .put("collection_method", "charge_automatically").put("currency", "usd")
                .put("start_date", start).put("billing_cycle_anchor", start).put("cancel_at_period_end", false)
                .putNull("canceled_at").putNull("ended_at").putNull("cancel_at");
        subscription.set("metadata", session.path("_standin").path("subscription_metadata").deepCopy());
        setItem(subscription, priceId, start, end);
        ObjectNode invoice = invoice(subscription, "subscription_create", start, end);
        invoice.put("status", "paid").put("amount_paid", invoice.path("amount_due").asLong()).put("amount_remaining", 0)
                .put("attempt_count", 1).put("attempted", true).putNull("next_payment_attempt");
        subscription.put("latest_invoice", invoice.path("id").asText());
        subscriptions.put(subscriptionId, subscription);
        session.put("status", "complete").put("payment_status", "paid").put("subscription", subscriptionId).putNull("url");
        List<ObjectNode> events = List.of(event("customer.subscription.created", subscription, null),
                event("invoice.paid", invoice, null), event("invoice.payment_succeeded", invoice, null),
                event("checkout.session.completed", session, null));
        return events(events);
    }

    /** A plan change as the Customer Portal makes it: the item's price is swapped, the period kept. */
    private Reply changePlan(ObjectNode subscription, String planId) {
        String priceId = priceByPlan.get(planId);
        if (priceId == null) return error(400, "invalid_request_error", null, "No price for plan '" + planId + "'", "plan");
        JsonNode item = subscription.path("items").path("data").path(0);
        ObjectNode previous = Json.MAPPER.createObjectNode();
        previous.putObject("items").set("data", subscription.path("items").path("data").deepCopy());
        setItem(subscription, priceId, item.path("current_period_start").asLong(), item.path("current_period_end").asLong());
        return events(List.of(event("customer.subscription.updated", subscription, previous)));
    }

    private Reply cancel(ObjectNode subscription) {
        ObjectNode previous = Json.MAPPER.createObjectNode().put("status", subscription.path("status").asText());
        long now = now();
        subscription.put("status", "canceled").put("canceled_at", now).put("ended_at", now);
        subscription.putObject("cancellation_details").put("reason", "cancellation_requested");
        return events(List.of(event("customer.subscription.deleted", subscription, previous)));
    }

    /** A charge for the subscription is declined: an open invoice with one attempt, the subscription past_due. */
    private Reply failPayment(ObjectNode subscription) {
        JsonNode item = subscription.path("items").path("data").path(0);
        ObjectNode invoice = invoice(subscription, "subscription_cycle", item.path("current_period_start").asLong(),
                item.path("current_period_end").asLong());
        invoice.put("status", "open").put("amount_paid", 0).put("amount_remaining", invoice.path("amount_due").asLong())
                .put("attempt_count", 1).put("attempted", true).put("next_payment_attempt", now() + 3 * 24 * 3600);
        ObjectNode previous = Json.MAPPER.createObjectNode().put("status", subscription.path("status").asText())
                .put("latest_invoice", subscription.path("latest_invoice").asText());
        subscription.put("status", "past_due").put("latest_invoice", invoice.path("id").asText());
        return events(List.of(event("invoice.payment_failed", invoice, null),
                event("customer.subscription.updated", subscription, previous)));
    }

    /** The open invoice is paid (a retry succeeded, or the customer fixed the card): active again. */
    private Reply pay(ObjectNode subscription) {
        ObjectNode invoice = invoices.get(subscription.path("latest_invoice").asText());
        if (invoice == null || !"open".equals(invoice.path("status").asText())) {
            return error(400, "invalid_request_error", null, "The subscription has no open invoice to pay", null);
        }
        invoice.put("status", "paid").put("amount_paid", invoice.path("amount_due").asLong()).put("amount_remaining", 0)
                .put("attempt_count", invoice.path("attempt_count").asInt() + 1).putNull("next_payment_attempt");
        ObjectNode previous = Json.MAPPER.createObjectNode().put("status", subscription.path("status").asText());
        subscription.put("status", "active");
        return events(List.of(event("invoice.paid", invoice, null),
                event("customer.subscription.updated", subscription, previous)));
    }

    // ------------------------------------------------------------------ objects

    private void setItem(ObjectNode subscription, String priceId, long start, long end) {
        ObjectNode items = subscription.putObject("items");
        items.put("object", "list").put("has_more", false).put("total_count", 1)
                .put("url", "/v1/subscription_items?subscription=" + subscription.path("id").asText());
        ObjectNode item = items.putArray("data").addObject();
        item.put("id", "si_" + random(14)).put("object", "subscription_item").put("created", now())
                .put("quantity", 1).put("subscription", subscription.path("id").asText())
                .put("current_period_start", start).put("current_period_end", end);
        item.set("price", prices.get(priceId).deepCopy());
        item.putObject("metadata");
    }

    private ObjectNode invoice(ObjectNode subscription, String reason, long start, long end) {
        ObjectNode invoice = object("in_", "invoice");
        String id = invoice.path("id").asText();
        JsonNode price = subscription.path("items").path("data").path(0).path("price");
        long amount = price.path("unit_amount").asLong();
        invoice.put("customer", subscription.path("customer").asText()).put("currency", "usd")
                .put("amount_due", amount).put("total", amount).put("subtotal", amount)
                .put("billing_reason", reason).put("collection_method", "charge_automatically")
                .put("number", "STANDIN-" + String.format("%04d", ++invoiceNumber))
                .put("period_start", start).put("period_end", end)
                .put("hosted_invoice_url", baseUrl() + "/i/" + id).put("invoice_pdf", baseUrl() + "/i/" + id + "/pdf");
        ObjectNode details = invoice.putObject("parent").put("type", "subscription_details").putObject("subscription_details");
        details.put("subscription", subscription.path("id").asText()).set("metadata", subscription.path("metadata").deepCopy());
        ObjectNode lines = invoice.putObject("lines").put("object", "list").put("has_more", false)
                .put("url", "/v1/invoices/" + id + "/lines");
        ObjectNode line = lines.putArray("data").addObject();
        line.put("id", "il_" + random(14)).put("object", "line_item").put("amount", amount).put("currency", "usd");
        line.putObject("period").put("start", start).put("end", end);
        line.putObject("pricing").put("type", "price_details").putObject("price_details")
                .put("price", price.path("id").asText()).put("product", price.path("product").asText());
        invoices.put(id, invoice);
        return invoice;
    }

    private ObjectNode event(String type, ObjectNode object, ObjectNode previousAttributes) {
        ObjectNode snapshot = object.deepCopy();
        snapshot.remove("_standin");
        ObjectNode event = object("evt_", "event");
        event.put("api_version", API_VERSION).put("type", type).put("pending_webhooks", 1);
        ObjectNode data = event.putObject("data");
        data.set("object", snapshot);
        if (previousAttributes != null) data.set("previous_attributes", previousAttributes);
        event.putObject("request").putNull("id").putNull("idempotency_key");
        return event;
    }

    private static Reply events(List<ObjectNode> events) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode list = body.putArray("events");
        events.forEach(list::add);
        return ok(body);
    }

    private static ObjectNode object(String prefix, String type) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", prefix + random(24)).put("object", type).put("created", now()).put("livemode", false);
        return node;
    }

    private static ObjectNode metadata(JsonNode params) {
        return params.path("metadata").isObject() ? params.path("metadata").deepCopy() : Json.MAPPER.createObjectNode();
    }

    private static Reply found(Map<String, ObjectNode> objects, String type, String id) {
        ObjectNode object = objects.get(id);
        return object == null ? missing(type, id) : ok(object);
    }

    private static Reply ok(JsonNode body) {
        ObjectNode copy = body.deepCopy();
        if (copy.isObject()) copy.remove("_standin");
        return new Reply(200, Json.write(copy));
    }

    private static Reply missing(String type, String id) {
        return error(404, "invalid_request_error", "resource_missing", "No such " + type + ": '" + id + "'", "id");
    }

    private static Reply error(int status, String type, String code, String message, String param) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("type", type).put("message", message);
        if (code != null) error.put("code", code);
        if (param != null) error.put("param", param);
        return new Reply(status, Json.write(body));
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    private static long monthAfter(long epochSeconds) {
        return Instant.ofEpochSecond(epochSeconds).atZone(ZoneOffset.UTC).plusMonths(1).toEpochSecond();
    }

    private static String random(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) s.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        return s.toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
