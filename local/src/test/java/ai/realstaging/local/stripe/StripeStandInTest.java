// unit: the Stripe stand-in over HTTP, driven by stripe-java pointed at it through its API base, as the service uses it
package ai.realstaging.local.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.realstaging.common.billing.StripeApi;
import ai.realstaging.common.http.ApiException;
import com.stripe.StripeClient;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.Customer;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StripeStandInTest {
    private static final String KEY = "sk_test_standin";
    private static StripeStandIn standIn;
    private static StripeApi api;

    @BeforeAll
    static void start() throws Exception {
        standIn = StripeStandIn.start("127.0.0.1", 0, KEY, List.of(new StripeStandIn.Price("pro", "price_pro", 2900)));
        api = new StripeApi(() -> KEY, standIn.baseUrl().toString(), true, 0);
    }

    @AfterAll
    static void stop() {
        standIn.close();
    }

    private static StripeClient client(String key) {
        return StripeClient.builder().setApiKey(key).setApiBase(standIn.baseUrl().toString()).build();
    }

    @Test
    void aCheckoutSessionCarriesWhatTheServiceSent() throws Exception {
        UUID user = UUID.randomUUID();
        String customer = api.createCustomer(user, "a@example.com");

        StripeApi.CheckoutSession session = api.createCheckoutSession(customer, user, "pro", "price_pro",
                "https://app.example/ok", "https://app.example/no");

        var stored = client(KEY).v1().checkout().sessions().retrieve(session.id());
        assertThat(stored.getMode()).isEqualTo("subscription");
        assertThat(stored.getCustomer()).isEqualTo(customer);
        assertThat(stored.getClientReferenceId()).isEqualTo(user.toString());
        assertThat(stored.getMetadata()).containsEntry("user_id", user.toString()).containsEntry("plan", "pro");
        assertThat(stored.getStatus()).isEqualTo("open");
        assertThat(session.url()).startsWith(standIn.baseUrl().toString());
        assertThat(api.customerUserId(customer)).hasValue(user.toString());
    }

    @Test
    void anIdempotencyKeyReplaysTheFirstAnswer() throws Exception {
        RequestOptions options = RequestOptions.builder().setIdempotencyKey("key-" + UUID.randomUUID()).build();
        Customer first = client(KEY).v1().customers().create(CustomerCreateParams.builder().setEmail("b@example.com").build(), options);
        Customer again = client(KEY).v1().customers().create(CustomerCreateParams.builder().setEmail("b@example.com").build(), options);

        assertThat(again.getId()).isEqualTo(first.getId());
        assertThat(api.createCustomer(UUID.fromString("00000000-0000-0000-0000-000000000001"), "c@example.com"))
                .isEqualTo(api.createCustomer(UUID.fromString("00000000-0000-0000-0000-000000000001"), "c@example.com"));
    }

    @Test
    void expiringAnOpenSessionWorksOnceAndUnknownObjectsAre404() {
        UUID user = UUID.randomUUID();
        String customer = api.createCustomer(user, null);
        var session = api.createCheckoutSession(customer, user, "pro", "price_pro", "https://app.example/ok", "https://app.example/no");

        assertThat(api.expireCheckoutSession(session.id())).isTrue();
        assertThat(api.expireCheckoutSession(session.id())).isFalse();
        assertThat(api.checkoutSessionStatus(session.id())).hasValue("expired");
        assertThat(api.subscription("sub_missing")).isEmpty();
        assertThatThrownBy(() -> client(KEY).v1().subscriptions().retrieve("sub_missing"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(404);
                    assertThat(e.getCode()).isEqualTo("resource_missing");
                });
    }

    @Test
    void anUnknownPriceIsRefusedAsStripeRefusesIt() {
        UUID user = UUID.randomUUID();
        String customer = api.createCustomer(user, null);

        assertThatThrownBy(() -> api.createCheckoutSession(customer, user, "pro", "price_nope", "https://a/ok", "https://a/no"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("resource_missing");
    }

    @Test
    void aWrongKeyIs401AndAnOutageIs503ForOurCallers() {
        assertThatThrownBy(() -> client("sk_test_wrong").v1().customers().retrieve("cus_x"))
                .isInstanceOf(AuthenticationException.class);
        standIn.down(true);
        try {
            assertThatThrownBy(() -> api.createCustomer(UUID.randomUUID(), null))
                    .isInstanceOfSatisfying(ApiException.DependencyDown.class, e -> assertThat(e.status()).isEqualTo(503));
        } finally {
            standIn.down(false);
        }
    }

    @Test
    void nestedFormFieldsAreReadAsStripeWritesThem() {
        var form = FormBody.parse("line_items[0][price]=price_pro&line_items[0][quantity]=1&metadata[user_id]=u%201"
                + "&expand[0]=latest_invoice&expand[]=customer&mode=subscription");

        assertThat(form.path("line_items").path("0").path("price").asText()).isEqualTo("price_pro");
        assertThat(form.path("metadata").path("user_id").asText()).isEqualTo("u 1");
        assertThat(FormBody.list(form, "expand")).containsExactly("latest_invoice", "customer");
        assertThat(form.path("mode").asText()).isEqualTo("subscription");
    }
}
