package ai.realstaging.local.stripe;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Posts events to a webhook endpoint signed as Stripe signs them: {@code Stripe-Signature: t=<unix
 * seconds>,v1=<hex HMAC-SHA256 of "t.body" keyed with the endpoint secret as UTF-8 text>}. Written
 * from Stripe's documentation, not with stripe-java, so the function's verification is checked
 * against an independent signer.
 */
public final class StripeWebhookSender {
    private final HttpClient http;
    private final URI endpoint;
    private final String secret;

    public StripeWebhookSender(HttpClient http, URI endpoint, String secret) {
        this.http = http;
        this.endpoint = endpoint;
        this.secret = secret;
    }

    public static String signatureHeader(String payload, String secret, long timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] signature = mac.doFinal((timestamp + "." + payload).getBytes(StandardCharsets.UTF_8));
            return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends the event signed now; answers the endpoint's status and body. */
    public HttpResponse<String> send(String payload) throws IOException, InterruptedException {
        return send(payload, signatureHeader(payload, secret, Instant.now().getEpochSecond()));
    }

    /** Sends the body with exactly this Stripe-Signature header (null: none). */
    public HttpResponse<String> send(String payload, String signature) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
                .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8));
        if (signature != null) request.header("Stripe-Signature", signature);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
