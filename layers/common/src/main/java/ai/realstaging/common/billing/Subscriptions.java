package ai.realstaging.common.billing;

import ai.realstaging.common.db.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Users' Stripe subscriptions as last read from Stripe's API. */
public final class Subscriptions {
    private Subscriptions() {}

    /**
     * Statuses in which the plan applies. past_due included: Stripe is still retrying the payment and
     * the subscription has not ended, so access continues through those retries (the failure is shown
     * on GET /v1/billing/subscription); unpaid, paused, incomplete and ended ones fall back to free.
     */
    public static final Set<String> ENTITLED = Set.of("active", "trialing", "past_due");

    /** Statuses Stripe never leaves; a subscription in any other one blocks a second checkout. */
    public static final Set<String> ENDED = Set.of("canceled", "incomplete_expired");

    /** The latest invoice of a subscription: how its last payment went. */
    public record Invoice(String id, String status, Long amountDue, String currency, Integer attemptCount,
                          Instant nextPaymentAttempt) {}

    public record Subscription(String id, UUID userId, String customerId, String planId, String priceId,
                               String status, Instant periodStart, Instant periodEnd, boolean cancelAtPeriodEnd,
                               Instant canceledAt, Instant endedAt, Invoice latestInvoice, Instant stripeCreatedAt) {
        public boolean ended() {
            return ENDED.contains(status);
        }
    }

    /** Writes Stripe's current view of the subscription over whatever we held. */
    public static void save(Connection c, Subscription s) throws SQLException {
        Invoice i = s.latestInvoice() == null ? new Invoice(null, null, null, null, null, null) : s.latestInvoice();
        Sql.update(c, """
                INSERT INTO subscriptions (id, user_id, customer_id, plan_id, price_id, status, current_period_start,
                    current_period_end, cancel_at_period_end, canceled_at, ended_at, latest_invoice_id,
                    latest_invoice_status, latest_invoice_amount_due, latest_invoice_currency, payment_attempt_count,
                    next_payment_attempt, stripe_created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET user_id = EXCLUDED.user_id, customer_id = EXCLUDED.customer_id,
                    plan_id = EXCLUDED.plan_id, price_id = EXCLUDED.price_id, status = EXCLUDED.status,
                    current_period_start = EXCLUDED.current_period_start,
                    current_period_end = EXCLUDED.current_period_end,
                    cancel_at_period_end = EXCLUDED.cancel_at_period_end, canceled_at = EXCLUDED.canceled_at,
                    ended_at = EXCLUDED.ended_at, latest_invoice_id = EXCLUDED.latest_invoice_id,
                    latest_invoice_status = EXCLUDED.latest_invoice_status,
                    latest_invoice_amount_due = EXCLUDED.latest_invoice_amount_due,
                    latest_invoice_currency = EXCLUDED.latest_invoice_currency,
                    payment_attempt_count = EXCLUDED.payment_attempt_count,
                    next_payment_attempt = EXCLUDED.next_payment_attempt, synced_at = now()""",
                s.id(), s.userId(), s.customerId(), s.planId(), s.priceId(), s.status(), s.periodStart(),
                s.periodEnd(), s.cancelAtPeriodEnd(), s.canceledAt(), s.endedAt(), i.id(), i.status(), i.amountDue(),
                i.currency(), i.attemptCount(), i.nextPaymentAttempt(), s.stripeCreatedAt());
    }

    public static Optional<Subscription> find(Connection c, String id) throws SQLException {
        return Sql.one(c, "SELECT * FROM subscriptions WHERE id = ?", Subscriptions::map, id);
    }

    /** The one a user sees: the newest that has not ended, else the newest. */
    public static Optional<Subscription> current(Connection c, UUID userId) throws SQLException {
        return Sql.one(c, """
                SELECT * FROM subscriptions WHERE user_id = ?
                ORDER BY (status IN ('canceled', 'incomplete_expired')), stripe_created_at DESC, id DESC LIMIT 1""",
                Subscriptions::map, userId);
    }

    /** Stripe no longer knows the subscription (deleted test data): it entitles to nothing any more. */
    public static void markGone(Connection c, String id) throws SQLException {
        Sql.update(c, """
                UPDATE subscriptions SET status = 'canceled', ended_at = COALESCE(ended_at, now()), synced_at = now()
                WHERE id = ?""", id);
    }

    private static Subscription map(ResultSet rs) throws SQLException {
        Invoice invoice = rs.getString("latest_invoice_id") == null ? null : new Invoice(
                rs.getString("latest_invoice_id"), rs.getString("latest_invoice_status"),
                Sql.longValue(rs, "latest_invoice_amount_due"), rs.getString("latest_invoice_currency"),
                Sql.integer(rs, "payment_attempt_count"), Sql.instant(rs, "next_payment_attempt"));
        return new Subscription(rs.getString("id"), Sql.uuid(rs, "user_id"), rs.getString("customer_id"),
                rs.getString("plan_id"), rs.getString("price_id"), rs.getString("status"),
                Sql.instant(rs, "current_period_start"), Sql.instant(rs, "current_period_end"),
                rs.getBoolean("cancel_at_period_end"), Sql.instant(rs, "canceled_at"), Sql.instant(rs, "ended_at"),
                invoice, Sql.instant(rs, "stripe_created_at"));
    }
}
