package ai.realstaging.common.billing;

import ai.realstaging.common.db.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * What a user may use now: the plan, its monthly images and the period they are counted in. A live
 * subscription (see {@link Subscriptions#ENTITLED}) gives its plan and current period; otherwise the
 * user's own plan (free unless granted by hand) over the calendar month in UTC.
 */
public record Entitlement(String planId, int limit, UsagePeriod period, String subscriptionId) {

    public static Optional<Entitlement> find(Connection c, UUID userId, Instant now) throws SQLException {
        Optional<Entitlement> subscribed = Sql.one(c, """
                SELECT s.id, s.plan_id, p.monthly_images, s.current_period_start, s.current_period_end
                FROM subscriptions s JOIN plans p ON p.id = s.plan_id
                WHERE s.user_id = ? AND s.status IN ('active', 'trialing', 'past_due')
                ORDER BY p.monthly_images DESC, s.current_period_start DESC LIMIT 1""",
                rs -> new Entitlement(rs.getString("plan_id"), rs.getInt("monthly_images"),
                        UsagePeriod.subscription(Sql.instant(rs, "current_period_start"),
                                Sql.instant(rs, "current_period_end"), now), rs.getString("id")), userId);
        if (subscribed.isPresent()) return subscribed;
        return Sql.one(c, "SELECT p.id, p.monthly_images FROM users u JOIN plans p ON p.id = u.plan_id WHERE u.id = ?",
                rs -> new Entitlement(rs.getString("id"), rs.getInt("monthly_images"), UsagePeriod.calendarMonth(now),
                        null), userId);
    }
}
