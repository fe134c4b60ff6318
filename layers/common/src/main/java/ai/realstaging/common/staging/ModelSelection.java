package ai.realstaging.common.staging;

import ai.realstaging.common.config.SecretBox;
import ai.realstaging.common.db.ModelConfigRepository;
import ai.realstaging.common.db.ModelConfigRepository.StoredConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which model a new staging job runs, with its settings: the admin's choice from the database,
 * read per job so a switch applies to the next one, else the configured default (STAGING_MODEL).
 */
public final class ModelSelection {
    private static final Logger LOG = LoggerFactory.getLogger(ModelSelection.class);

    /** A model and the settings to build its input with. */
    public record Selected(StagingModel model, ModelSettings settings) {}

    private final ModelRegistry registry;
    private final StagingModel fallback;
    private final SecretBox secrets;

    public ModelSelection(ModelRegistry registry, StagingModel fallback, SecretBox secrets) {
        this.registry = registry;
        this.fallback = fallback;
        this.secrets = secrets;
    }

    public ModelRegistry registry() {
        return registry;
    }

    /** The model that runs while no admin has chosen one. */
    public StagingModel fallback() {
        return fallback;
    }

    /** The id of the model new jobs run: the admin's choice, else the fallback. */
    public String activeId(Connection c) throws SQLException {
        return ModelConfigRepository.activeModel(c).filter(id -> registry.byId(id).isPresent()).orElse(fallback.id());
    }

    /**
     * The model and settings for a job starting now. A chosen model that cannot run (its secret no
     * longer decrypts, say, after the key was replaced) falls back to the default rather than
     * failing every job; the error log says why.
     */
    public Selected forNewJob(Connection c) throws SQLException {
        StagingModel model = registry.byId(activeId(c)).orElse(fallback);
        try {
            ModelSettings settings = settings(model, ModelConfigRepository.find(c, model.id()).orElse(null));
            if (model.selectable(settings)) {
                return new Selected(model, settings);
            }
            LOG.error("active model {} is missing a secret; running {} instead", model.id(), fallback.id());
        } catch (SecretBox.Unreadable e) {
            LOG.error("active model {}: {}; running {} instead", model.id(), e.getMessage(), fallback.id());
        }
        return new Selected(fallback, settings(fallback, ModelConfigRepository.find(c, fallback.id()).orElse(null)));
    }

    /**
     * The settings a stored row gives a model: parameters that (still) fit its schema, and its
     * secrets decrypted. Throws {@link SecretBox.Unreadable} when a secret does not decrypt.
     */
    public ModelSettings settings(StagingModel model, StoredConfig stored) {
        if (stored == null) return ModelSettings.DEFAULTS;
        Map<String, Object> parameters = new LinkedHashMap<>();
        Map<String, String> opened = new LinkedHashMap<>();
        for (ModelParameter p : model.parameters()) {
            if (p.secret()) {
                String sealed = stored.sealedSecrets().get(p.name());
                if (sealed != null) opened.put(p.name(), secrets.open(sealed, context(model.id(), p.name())));
            } else {
                JsonNode value = stored.parameters().get(p.name());
                if (value == null) continue;
                if (p.problem(value) == null) {
                    parameters.put(p.name(), p.read(value));
                } else {
                    // Validated when saved; only a later schema change gets here. The default applies.
                    LOG.warn("model {}: stored {} no longer fits its schema; using the default", model.id(), p.name());
                }
            }
        }
        return new ModelSettings(parameters, opened);
    }

    /** Binds a sealed secret to its model and field, so it cannot be moved to another. */
    public static String context(String modelId, String parameter) {
        return "model_configs/" + modelId + "/" + parameter;
    }
}
