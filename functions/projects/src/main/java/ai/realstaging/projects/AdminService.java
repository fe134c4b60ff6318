package ai.realstaging.projects;

import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.config.AwsClients;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.config.SecretBox;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.ModelConfigRepository;
import ai.realstaging.common.db.ModelConfigRepository.StoredConfig;
import ai.realstaging.common.db.UserDirectory;
import ai.realstaging.common.http.ApiException;
import ai.realstaging.common.http.ApiException.FieldError;
import ai.realstaging.common.staging.ModelParameter;
import ai.realstaging.common.staging.ModelRegistry;
import ai.realstaging.common.staging.ModelSelection;
import ai.realstaging.common.staging.ModelSettings;
import ai.realstaging.common.staging.StagingModel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API (PRODUCT.md §8): which staging model new jobs run and each model's settings. Every
 * call checks the admin role first; settings are validated when saved, and secrets are write-only:
 * sealed before they are stored, never returned, never logged.
 */
public final class AdminService {
    private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);
    private static final Set<String> CONFIG_FIELDS = Set.of("parameters", "secrets");

    private final Database db;
    private final ModelSelection models;
    private final SecretBox secrets;
    private final UserDirectory users;

    AdminService(Database db, ModelSelection models, SecretBox secrets) {
        this(db, models, secrets, new UserDirectory());
    }

    AdminService(Database db, ModelSelection models, SecretBox secrets, UserDirectory users) {
        this.users = users;
        this.db = db;
        this.models = models;
        this.secrets = secrets;
    }

    /** On the function's one connection; the key that seals secrets is read on first use. */
    static AdminService create(Config config, Database db) {
        return create(config, db, new AwsClients(config), new UserDirectory());
    }

    static AdminService create(Config config, Database db, AwsClients aws, UserDirectory users) {
        ModelRegistry registry = new ModelRegistry();
        SecretBox box = SecretBox.fromConfig(config, aws);
        StagingModel fallback = registry.configuredDefault(config.get("STAGING_MODEL", ModelRegistry.DEFAULT_ID));
        return new AdminService(db, new ModelSelection(registry, fallback, box), box, users);
    }

    /** One tunable input as the admin sees it; a secret has no default and is write-only. */
    public record ParameterView(String name, String type, Object defaultValue, Long minimum, Long maximum,
                                List<String> choices, boolean secret, boolean required) {}

    /** A model in the registry, with whether new jobs run it and whether it could. */
    public record ModelView(String id, String name, String description, boolean active, BigDecimal pricePerImageUsd,
                            String replicateModel, boolean selectable, List<ParameterView> parameters) {}

    public record ModelList(List<ModelView> items) {}

    /** Whether a secret is stored; its value never leaves the service. */
    public record SecretState(boolean set) {}

    /** A model's effective settings: every parameter's value (the admin's or the default) and its secrets' state. */
    public record ConfigView(String modelId, boolean active, boolean selectable, Map<String, Object> parameters,
                             Map<String, SecretState> secrets, Instant updatedAt) {}

    public ModelList models(Identity identity) {
        requireAdmin(identity);
        return db.read(c -> {
            String active = models.activeId(c);
            Map<String, StoredConfig> stored = new LinkedHashMap<>();
            ModelConfigRepository.all(c).forEach(s -> stored.put(s.modelId(), s));
            List<ModelView> items = new ArrayList<>();
            for (StagingModel model : models.registry().all()) {
                items.add(view(model, active, stored.get(model.id())));
            }
            return new ModelList(items);
        });
    }

    /** PUT /v1/admin/models/active: new jobs run this model from now on. */
    public ModelView activate(Identity identity, JsonNode body) {
        requireAdmin(identity);
        JsonNode id = body.get("model_id");
        if (id == null || !id.isTextual() || id.asText().isBlank()) {
            throw new ApiException.ValidationFailed(List.of(new FieldError("model_id", "is required: the id of a model")));
        }
        StagingModel model = models.registry().byId(id.asText()).orElseThrow(() -> new ApiException.ValidationFailed(
                List.of(new FieldError("model_id", "is not a model; known models: "
                        + String.join(", ", models.registry().ids())))));
        return db.transaction(c -> {
            // Locked, so a parallel edit cannot remove the secret this check relies on.
            StoredConfig stored = ModelConfigRepository.findForUpdate(c, model.id()).orElse(null);
            if (!model.selectable(settingsOrDefaults(model, stored))) {
                throw new ApiException.ValidationFailed(List.of(new FieldError("model_id", model.id()
                        + " cannot be selected until its " + String.join(", ", secretNames(model))
                        + " is set (PUT /v1/admin/models/" + model.id() + "/config)")));
            }
            UUID by = users.resolve(c, identity.subject(), identity.email());
            ModelConfigRepository.setActiveModel(c, model.id(), by);
            LOG.info("admin {} made {} the active staging model", by, model.id());
            return view(model, model.id(), stored);
        });
    }

    public ConfigView config(Identity identity, String modelId) {
        requireAdmin(identity);
        StagingModel model = model(modelId);
        return db.read(c -> configView(model, models.activeId(c), ModelConfigRepository.find(c, model.id()).orElse(null)));
    }

    /**
     * PUT /v1/admin/models/{model}/config: the settings to change. In {@code parameters} and
     * {@code secrets} a value sets, null resets (a parameter to its default, a secret to unset) and an
     * omitted name stays as it is, so a form that never saw a secret cannot erase it.
     */
    public ConfigView saveConfig(Identity identity, String modelId, JsonNode body) {
        requireAdmin(identity);
        StagingModel model = model(modelId);
        Change change = validate(model, body);
        return db.transaction(c -> {
            StoredConfig stored = ModelConfigRepository.findForUpdate(c, model.id()).orElse(StoredConfig.empty(model.id()));
            ObjectNode parameters = stored.parameters().deepCopy();
            change.parameters().forEach((name, value) -> {
                if (value.isNull()) parameters.remove(name);
                else parameters.set(name, value);
            });
            Map<String, String> sealed = new LinkedHashMap<>(stored.sealedSecrets());
            change.secrets().forEach((name, value) -> {
                if (value == null) sealed.remove(name);
                else sealed.put(name, secrets.seal(value, ModelSelection.context(model.id(), name)));
            });
            String active = models.activeId(c);
            StoredConfig next = new StoredConfig(model.id(), parameters, sealed, null);
            if (active.equals(model.id()) && !model.selectable(settingsOrDefaults(model, next))) {
                throw new ApiException.Conflict(model.id() + " is the active model and cannot run without its "
                        + String.join(", ", secretNames(model)) + "; make another model active first");
            }
            UUID by = users.resolve(c, identity.subject(), identity.email());
            StoredConfig saved = ModelConfigRepository.save(c, model.id(), parameters, sealed, by);
            // Names only: a secret's value is never logged.
            LOG.info("admin {} changed {} settings: parameters {}, secrets {}", by, model.id(),
                    change.parameters().keySet(), change.secrets().keySet());
            return configView(model, active, saved);
        });
    }

    /** A validated change: parameter values (JSON null = reset) and secret values (null = clear). */
    private record Change(Map<String, JsonNode> parameters, Map<String, String> secrets) {}

    /** Every problem of the body at once, named by field path; a secret's value is never echoed. */
    static Change validate(StagingModel model, JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        Map<String, JsonNode> parameters = new LinkedHashMap<>();
        Map<String, String> newSecrets = new LinkedHashMap<>();
        body.properties().forEach(e -> {
            if (!CONFIG_FIELDS.contains(e.getKey())) {
                errors.add(new FieldError(e.getKey(), "is not a field of a model configuration (parameters, secrets)"));
            }
        });
        JsonNode given = body.get("parameters");
        if (given != null && !given.isObject()) {
            errors.add(new FieldError("parameters", "must be an object of parameter names to values"));
        } else if (given != null) {
            given.properties().forEach(e -> {
                String field = "parameters." + e.getKey();
                ModelParameter p = parameter(model, e.getKey());
                if (p == null) {
                    errors.add(new FieldError(field, "is not a parameter of " + model.id() + "; its parameters: "
                            + String.join(", ", names(model, false))));
                } else if (p.secret()) {
                    errors.add(new FieldError(field, "is a secret: send it in secrets"));
                } else if (e.getValue().isNull()) {
                    parameters.put(p.name(), e.getValue());
                } else {
                    String problem = p.problem(e.getValue());
                    if (problem != null) errors.add(new FieldError(field, problem));
                    else parameters.put(p.name(), e.getValue());
                }
            });
        }
        JsonNode secretValues = body.get("secrets");
        if (secretValues != null && !secretValues.isObject()) {
            errors.add(new FieldError("secrets", "must be an object of secret names to values"));
        } else if (secretValues != null) {
            secretValues.properties().forEach(e -> {
                String field = "secrets." + e.getKey();
                ModelParameter p = parameter(model, e.getKey());
                if (p == null || !p.secret()) {
                    List<String> known = names(model, true);
                    errors.add(new FieldError(field, "is not a secret of " + model.id()
                            + (known.isEmpty() ? "; it has none" : "; its secrets: " + String.join(", ", known))));
                } else if (e.getValue().isNull()) {
                    newSecrets.put(p.name(), null);
                } else {
                    String problem = p.problem(e.getValue());
                    if (problem != null) errors.add(new FieldError(field, problem));
                    else newSecrets.put(p.name(), e.getValue().asText());
                }
            });
        }
        if (!errors.isEmpty()) throw new ApiException.ValidationFailed(errors);
        return new Change(parameters, newSecrets);
    }

    /** 403 for a signed-in caller without the admin role (no token at all is a 401 before this). */
    static Identity requireAdmin(Identity identity) {
        if (!identity.isAdmin()) {
            throw new ApiException.Forbidden("This needs the admin role");
        }
        return identity;
    }

    private StagingModel model(String id) {
        return models.registry().byId(id).orElseThrow(() -> new ApiException.NotFound("The model"));
    }

    private ModelView view(StagingModel model, String activeId, StoredConfig stored) {
        List<ParameterView> parameters = model.parameters().stream().map(p -> new ParameterView(p.name(),
                p.type().name().toLowerCase(Locale.ROOT), p.defaultValue(), p.min(), p.max(), p.allowed(), p.secret(),
                p.secret())).toList();
        return new ModelView(model.id(), model.name(), model.description(), model.id().equals(activeId),
                model.pricePerImageUsd(), model.replicateModel(), model.selectable(settingsOrDefaults(model, stored)),
                parameters);
    }

    private ConfigView configView(StagingModel model, String activeId, StoredConfig stored) {
        ModelSettings settings = settingsOrDefaults(model, stored);
        Map<String, Object> parameters = new LinkedHashMap<>();
        Map<String, SecretState> secretStates = new LinkedHashMap<>();
        for (ModelParameter p : model.parameters()) {
            if (p.secret()) {
                secretStates.put(p.name(), new SecretState(stored != null && stored.sealedSecrets().containsKey(p.name())));
            } else {
                parameters.put(p.name(), settings.value(p));
            }
        }
        return new ConfigView(model.id(), model.id().equals(activeId), model.selectable(settings), parameters,
                secretStates, stored == null ? null : stored.updatedAt());
    }

    /** The settings a row gives; a secret sealed under another key counts as not set. */
    private ModelSettings settingsOrDefaults(StagingModel model, StoredConfig stored) {
        try {
            return models.settings(model, stored);
        } catch (SecretBox.Unreadable e) {
            LOG.error("{}: {}", model.id(), e.getMessage());
            return models.settings(model, new StoredConfig(stored.modelId(), stored.parameters(), Map.of(),
                    stored.updatedAt()));
        }
    }

    private static ModelParameter parameter(StagingModel model, String name) {
        return model.parameters().stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    private static List<String> names(StagingModel model, boolean secret) {
        return model.parameters().stream().filter(p -> p.secret() == secret).map(ModelParameter::name).toList();
    }

    private static List<String> secretNames(StagingModel model) {
        return names(model, true);
    }
}
