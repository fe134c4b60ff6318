package ai.realstaging.common.billing;

import ai.realstaging.common.db.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/** The link between our users and their Stripe customers (one each). */
public final class Customers {
    private Customers() {}

    public static Optional<String> customerOf(Connection c, UUID userId) throws SQLException {
        return Sql.one(c, "SELECT stripe_customer_id FROM users WHERE id = ?",
                rs -> rs.getString("stripe_customer_id"), userId);
    }

    public static Optional<UUID> userOf(Connection c, String customerId) throws SQLException {
        return Sql.one(c, "SELECT id FROM users WHERE stripe_customer_id = ?", rs -> Sql.uuid(rs, "id"), customerId);
    }

    public static boolean userExists(Connection c, UUID userId) throws SQLException {
        return Sql.one(c, "SELECT 1 FROM users WHERE id = ?", rs -> true, userId).isPresent();
    }

    /** Links the customer unless the user already has one; the first link stays. */
    public static void link(Connection c, UUID userId, String customerId) throws SQLException {
        Sql.update(c, """
                UPDATE users SET stripe_customer_id = ?, updated_at = now()
                WHERE id = ? AND stripe_customer_id IS NULL
                  AND NOT EXISTS (SELECT 1 FROM users WHERE stripe_customer_id = ?)""", customerId, userId, customerId);
    }

    /** Locks the user row: billing changes of one user (and their quota reservations) run one at a time. */
    public static void lockUser(Connection c, UUID userId) throws SQLException {
        Sql.one(c, "SELECT id FROM users WHERE id = ? FOR NO KEY UPDATE", rs -> true, userId).orElseThrow();
    }
}
