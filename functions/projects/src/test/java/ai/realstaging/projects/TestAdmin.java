package ai.realstaging.projects;

import ai.realstaging.common.config.SecretBox;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.staging.ModelRegistry;
import ai.realstaging.common.staging.ModelSelection;

/** The admin service as the projects tests wire it: qwen as the default model, a fixed test key. */
final class TestAdmin {
    static final SecretBox SECRETS = new SecretBox(() -> "projects-tests-model-secrets-key-0123456789");

    private TestAdmin() {}

    static AdminService on(Database database) {
        ModelRegistry registry = new ModelRegistry();
        return new AdminService(database, new ModelSelection(registry, registry.defaultModel(), SECRETS), SECRETS);
    }
}
