package ai.realstaging.common.db;

import ai.realstaging.common.http.Json;
import ai.realstaging.common.model.Profile;
import ai.realstaging.common.model.Profile.Address;
import ai.realstaging.common.model.Profile.Preferences;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Profile columns and preferences of the users table. */
public final class ProfileRepository {
    private ProfileRepository() {}

    public static Optional<Profile> find(Connection c, UUID userId) throws SQLException {
        return Sql.one(c, "SELECT *, " + PLAN_IN_EFFECT + " FROM users WHERE id = ?", ProfileRepository::map, userId);
    }

    public static Preferences preferences(Connection c, UUID userId) throws SQLException {
        return Sql.one(c, "SELECT preferences FROM users WHERE id = ?",
                rs -> preferences(rs.getString("preferences")), userId).orElse(Preferences.NONE);
    }

    /**
     * Applies a merge patch: {@code columns} maps a profile column to its new value (null clears it);
     * {@code preferences} maps a preference key to its new value (null removes it, so its default
     * applies again). Keys not named are left as they are.
     */
    public static Profile update(Connection c, UUID userId, Map<String, Object> columns,
                                 Map<String, Object> preferences) throws SQLException {
        StringBuilder sql = new StringBuilder("UPDATE users SET updated_at = now()");
        List<Object> params = new ArrayList<>();
        for (Map.Entry<String, Object> column : columns.entrySet()) {
            if (!PATCHABLE.contains(column.getKey())) {
                throw new IllegalArgumentException("not a profile column: " + column.getKey());
            }
            if (column.getKey().equals("billing_address")) {
                sql.append(", billing_address = CAST(? AS jsonb)");
                params.add(column.getValue() == null ? null : Json.write(column.getValue()));
            } else {
                sql.append(", ").append(column.getKey()).append(" = ?");
                params.add(column.getValue());
            }
        }
        if (!preferences.isEmpty()) {
            Map<String, Object> set = new java.util.LinkedHashMap<>();
            List<String> removed = new ArrayList<>();
            preferences.forEach((key, value) -> {
                if (value == null) removed.add(key); else set.put(key, value);
            });
            sql.append(", preferences = (preferences || CAST(? AS jsonb)) - CAST(? AS text[])");
            params.add(Json.write(set));
            params.add(c.createArrayOf("text", removed.toArray()));
        }
        sql.append(" WHERE id = ? RETURNING *, ").append(PLAN_IN_EFFECT);
        params.add(userId);
        return Sql.one(c, sql.toString(), ProfileRepository::map, params.toArray()).orElseThrow();
    }

    /** The plan quota follows (see billing.Entitlement): a live subscription's, else the user's own plan_id. */
    private static final String PLAN_IN_EFFECT = """
            COALESCE((SELECT s.plan_id FROM subscriptions s JOIN plans p ON p.id = s.plan_id
                      WHERE s.user_id = users.id AND s.status IN ('active', 'trialing', 'past_due')
                      ORDER BY p.monthly_images DESC LIMIT 1), users.plan_id) AS plan_in_effect""";

    private static final List<String> PATCHABLE = List.of("full_name", "company_name", "phone", "billing_address");

    static Profile map(ResultSet rs) throws SQLException {
        String address = rs.getString("billing_address");
        return new Profile(Sql.uuid(rs, "id"), rs.getString("email"), rs.getString("full_name"),
                rs.getString("company_name"), rs.getString("phone"),
                address == null ? null : Json.read(address, Address.class),
                preferences(rs.getString("preferences")), rs.getString("plan_in_effect"),
                Sql.instant(rs, "created_at"), Sql.instant(rs, "updated_at"));
    }

    private static Preferences preferences(String json) {
        if (json == null) return Preferences.NONE;
        JsonNode node = Json.read(json);
        return new Preferences(text(node, "default_room_type"), text(node, "default_style"),
                node.hasNonNull("disclosure_label") ? node.get("disclosure_label").asBoolean() : null);
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }
}
