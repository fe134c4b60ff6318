package ai.realstaging.local.stripe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The local stack's Stripe settings: STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_PRICE_PRO,
 * STRIPE_PRICE_BUSINESS (and STRIPE_API_BASE) from the environment, else published local defaults.
 * Without STRIPE_SECRET_KEY the service talks to the in-JVM Stripe stand-in.
 */
public record LocalStripe(String secretKey, String webhookSecret, String pricePro, String priceBusiness,
                          String apiBase, int standInPort, List<String> defaults) {
    public static final String DEFAULT_SECRET_KEY = "sk_test_realstaging_local";
    public static final String DEFAULT_WEBHOOK_SECRET = "whsec_realstaging_local";
    public static final String DEFAULT_PRICE_PRO = "price_local_pro";
    public static final String DEFAULT_PRICE_BUSINESS = "price_local_business";
    public static final int DEFAULT_PORT = 12111;

    public static LocalStripe fromEnvironment(int standInPort) {
        return from(System.getenv(), standInPort);
    }

    static LocalStripe from(Map<String, String> env, int standInPort) {
        List<String> defaults = new ArrayList<>();
        String key = setting(env, "STRIPE_SECRET_KEY", DEFAULT_SECRET_KEY, defaults);
        String secret = setting(env, "STRIPE_WEBHOOK_SECRET", DEFAULT_WEBHOOK_SECRET, defaults);
        String pro = setting(env, "STRIPE_PRICE_PRO", DEFAULT_PRICE_PRO, defaults);
        String business = setting(env, "STRIPE_PRICE_BUSINESS", DEFAULT_PRICE_BUSINESS, defaults);
        String base = blank(env.get("STRIPE_API_BASE")) ? null : env.get("STRIPE_API_BASE").strip();
        if (base == null && !key.equals(DEFAULT_SECRET_KEY)) base = "https://api.stripe.com";
        return new LocalStripe(key, secret, pro, business, base, standInPort, List.copyOf(defaults));
    }

    /** True when the service should talk to the stand-in (no real key, no other API base). */
    public boolean standIn() {
        return apiBase == null;
    }

    private static String setting(Map<String, String> env, String name, String fallback, List<String> defaults) {
        String value = env.get(name);
        if (blank(value)) {
            defaults.add(name + "=" + fallback);
            return fallback;
        }
        return value.strip();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
