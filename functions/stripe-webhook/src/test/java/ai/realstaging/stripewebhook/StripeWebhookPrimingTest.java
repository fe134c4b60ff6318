// unit: SnapStart priming of the stripe-webhook function; no database, secret or Stripe (refusing ones prove they are never asked)
package ai.realstaging.stripewebhook;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.billing.StripeApi;
import ai.realstaging.common.billing.StripePrices;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.testing.OfflineAws;
import java.lang.reflect.Field;
import java.sql.DriverManager;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StripeWebhookPrimingTest {

    @Test
    void primingAnswers400WithoutTouchingTheDatabaseTheSecretOrStripe() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + OfflineAws.closedPort() + "/nothing";
        AtomicInteger connections = new AtomicInteger();
        AtomicInteger secretReads = new AtomicInteger();
        AtomicInteger keyReads = new AtomicInteger();
        Database database = new Database(() -> {
            connections.incrementAndGet();
            return DriverManager.getConnection(url, "postgres", null);
        });
        StripeApi stripe = new StripeApi(() -> {
            keyReads.incrementAndGet();
            return "sk_test_unused";
        }, "http://127.0.0.1:" + OfflineAws.closedPort(), true, 0);
        StripeWebhookHandler handler = new StripeWebhookHandler(new StripeSignature(() -> {
            secretReads.incrementAndGet();
            return "whsec_unused";
        }), new StripeEventService(database, stripe, new StripePrices(Config.of(Map.of()))));

        Field field = StripeWebhookHandler.class.getDeclaredField("priming");
        field.setAccessible(true);
        int status = ((StripeWebhookPriming) field.get(handler)).prime();

        assertThat(status).isEqualTo(400);
        assertThat(connections).as("database connection attempts").hasValue(0);
        assertThat(secretReads).as("webhook secret reads").hasValue(0);
        assertThat(keyReads).as("Stripe key reads").hasValue(0);
    }
}
