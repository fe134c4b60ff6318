package ai.realstaging.common.billing;

import ai.realstaging.common.config.Config;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Stripe price ids of the paid plans, from configuration: {@code STRIPE_PRICE_<PLAN>} (e.g.
 * STRIPE_PRICE_PRO) lists one or more ids, comma-separated. Checkout sells the first; every listed
 * id is recognised in subscriptions, so a retired price still maps to its plan.
 */
public final class StripePrices {
    private final Config config;

    public StripePrices(Config config) {
        this.config = config;
    }

    public static String setting(String planId) {
        return "STRIPE_PRICE_" + planId.toUpperCase(Locale.ROOT);
    }

    public Optional<String> checkoutPrice(String planId) {
        List<String> ids = ids(planId);
        return ids.isEmpty() ? Optional.empty() : Optional.of(ids.getFirst());
    }

    /** The plan of the catalogue whose configured prices include this one. */
    public Optional<String> planFor(Connection c, String priceId) throws SQLException {
        for (Plans.Plan plan : Plans.list(c)) {
            if (plan.priceCents() > 0 && ids(plan.id()).contains(priceId)) return Optional.of(plan.id());
        }
        return Optional.empty();
    }

    private List<String> ids(String planId) {
        return config.get(setting(planId)).map(v -> Arrays.stream(v.split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).toList()).orElse(List.of());
    }
}
