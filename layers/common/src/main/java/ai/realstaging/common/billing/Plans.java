package ai.realstaging.common.billing;

import ai.realstaging.common.db.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** The plan catalogue, kept in the database (PRODUCT.md §6). */
public final class Plans {
    private Plans() {}

    /** One plan as clients see it; the price in whole cents avoids floating point money. */
    public record Plan(String id, String name, int monthlyImages, int priceCents, String currency) {}

    public static List<Plan> list(Connection c) throws SQLException {
        return Sql.list(c, "SELECT id, name, monthly_images, price_cents, currency FROM plans ORDER BY sort_order",
                rs -> new Plan(rs.getString("id"), rs.getString("name"), rs.getInt("monthly_images"),
                        rs.getInt("price_cents"), rs.getString("currency")));
    }
}
