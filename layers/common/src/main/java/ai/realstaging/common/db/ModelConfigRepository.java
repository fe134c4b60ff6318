package ai.realstaging.common.db;

import ai.realstaging.common.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The admin's model choice and each model's stored settings (secrets stay sealed here). */
public final class ModelConfigRepository {
    private ModelConfigRepository() {}

    /** One model's row: the parameters an admin set and its sealed secrets by name. */
    public record StoredConfig(String modelId, ObjectNode parameters, Map<String, String> sealedSecrets,
                               Instant updatedAt) {
        public static StoredConfig empty(String modelId) {
            return new StoredConfig(modelId, Json.MAPPER.createObjectNode(), Map.of(), null);
        }
    }

    /** The admin's choice, if one was made. */
    public static Optional<String> activeModel(Connection c) throws SQLException {
        return Sql.one(c, "SELECT active_model FROM staging_settings", rs -> rs.getString("active_model"));
    }

    /** Race-free: concurrent switches each write the one row; the last one wins. */
    public static void setActiveModel(Connection c, String modelId, UUID by) throws SQLException {
        Sql.update(c, """
                INSERT INTO staging_settings (singleton, active_model, updated_by) VALUES (true, ?, ?)
                ON CONFLICT (singleton) DO UPDATE SET active_model = EXCLUDED.active_model,
                    updated_by = EXCLUDED.updated_by, updated_at = now()""", modelId, by);
    }

    public static Optional<StoredConfig> find(Connection c, String modelId) throws SQLException {
        return Sql.one(c, "SELECT * FROM model_configs WHERE model_id = ?", ModelConfigRepository::map, modelId);
    }

    /** Locks the row (if any) until the transaction ends, so two admins' edits do not interleave. */
    public static Optional<StoredConfig> findForUpdate(Connection c, String modelId) throws SQLException {
        return Sql.one(c, "SELECT * FROM model_configs WHERE model_id = ? FOR UPDATE", ModelConfigRepository::map, modelId);
    }

    public static List<StoredConfig> all(Connection c) throws SQLException {
        return Sql.list(c, "SELECT * FROM model_configs ORDER BY model_id", ModelConfigRepository::map);
    }

    public static StoredConfig save(Connection c, String modelId, ObjectNode parameters, Map<String, String> sealedSecrets,
                                    UUID by) throws SQLException {
        return Sql.one(c, """
                INSERT INTO model_configs (model_id, parameters, secrets, updated_by) VALUES (?, ?::jsonb, ?::jsonb, ?)
                ON CONFLICT (model_id) DO UPDATE SET parameters = EXCLUDED.parameters, secrets = EXCLUDED.secrets,
                    updated_by = EXCLUDED.updated_by, updated_at = now()
                RETURNING *""", ModelConfigRepository::map, modelId, Json.write(parameters), Json.write(sealedSecrets), by)
                .orElseThrow();
    }

    private static StoredConfig map(ResultSet rs) throws SQLException {
        JsonNode secrets = Json.read(rs.getString("secrets"));
        Map<String, String> sealed = new LinkedHashMap<>();
        secrets.properties().forEach(e -> sealed.put(e.getKey(), e.getValue().asText()));
        return new StoredConfig(rs.getString("model_id"), (ObjectNode) Json.read(rs.getString("parameters")), sealed,
                Sql.instant(rs, "updated_at"));
    }
}
