package ai.realstaging.common.billing;

import ai.realstaging.common.db.Sql;
import ai.realstaging.common.http.ApiException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.UUID;

/**
 * Image quota: reserved atomically when images are requested, consumed when one is ready,
 * released when one fails for good; counted against the plan and period of the user's
 * {@link Entitlement}. Callers run these inside their own transaction.
 */
public final class Quota {
    private Quota() {}

    /** Where a user stands in the current period. */
    public record Usage(String plan, int limit, int used, UsagePeriod period) {
        public int remaining() {
            return Math.max(0, limit - used);
        }
    }

    /**
     * Reserves one unit per image or throws {@link ApiException.QuotaExceeded}. The user row is
     * locked first, so parallel requests of one user count one after the other and never over-spend.
     * NO KEY UPDATE, not UPDATE: callers have already inserted rows referencing the user, which holds
     * a KEY SHARE lock on it; FOR UPDATE would conflict with those of parallel requests and deadlock.
     */
    public static void reserve(Connection c, UUID userId, Collection<UUID> imageIds, Instant now) throws SQLException {
        Usage usage = usageLocked(c, userId, now);
        if (usage.used() + imageIds.size() > usage.limit()) {
            throw new ApiException.QuotaExceeded("This request needs " + imageIds.size() + " image(s) but "
                    + usage.remaining() + " of the " + usage.limit() + " in your " + usage.plan()
                    + " plan remain this period");
        }
        for (UUID imageId : imageIds) {
            Sql.update(c, "INSERT INTO usage_reservations (user_id, image_id, period_start) VALUES (?, ?, ?)",
                    userId, imageId, usage.period().start());
        }
    }

    /**
     * Reserves one unit again for an image whose reservation was released (a retry after a
     * permanent failure), with the same lock and limit as {@link #reserve}.
     */
    public static void reserveAgain(Connection c, UUID userId, UUID imageId, Instant now) throws SQLException {
        Usage usage = usageLocked(c, userId, now);
        if (usage.used() + 1 > usage.limit()) {
            throw new ApiException.QuotaExceeded("A retry needs 1 image but none of the " + usage.limit()
                    + " in your " + usage.plan() + " plan remain this period");
        }
        Sql.update(c, """
                INSERT INTO usage_reservations (user_id, image_id, period_start) VALUES (?, ?, ?)
                ON CONFLICT (image_id) DO UPDATE SET status = 'reserved', period_start = EXCLUDED.period_start,
                                                     updated_at = now()
                WHERE usage_reservations.status = 'released'""", userId, imageId, usage.period().start());
    }

    /** Gives the unit back (permanent failure, rejected or expired upload); a no-op when already settled. */
    public static boolean release(Connection c, UUID imageId) throws SQLException {
        return Sql.update(c, """
                UPDATE usage_reservations SET status = 'released', updated_at = now()
                WHERE image_id = ? AND status = 'reserved'""", imageId) == 1;
    }

    /** Marks the unit spent: a ready image is never refunded, even when deleted later. */
    public static void consume(Connection c, UUID imageId) throws SQLException {
        Sql.update(c, """
                UPDATE usage_reservations SET status = 'consumed', updated_at = now()
                WHERE image_id = ? AND status = 'reserved'""", imageId);
    }

    public static Usage usage(Connection c, UUID userId, Instant now) throws SQLException {
        return usage(c, userId, now, false);
    }

    private static Usage usageLocked(Connection c, UUID userId, Instant now) throws SQLException {
        return usage(c, userId, now, true);
    }

    private static Usage usage(Connection c, UUID userId, Instant now, boolean lock) throws SQLException {
        if (lock) {
            Customers.lockUser(c, userId);
        }
        Entitlement entitlement = Entitlement.find(c, userId, now).orElseThrow();
        int used = Sql.one(c, """
                SELECT count(*) AS used FROM usage_reservations
                WHERE user_id = ? AND period_start = ? AND status <> 'released'""",
                rs -> rs.getInt("used"), userId, entitlement.period().start()).orElse(0);
        return new Usage(entitlement.planId(), entitlement.limit(), used, entitlement.period());
    }
}
