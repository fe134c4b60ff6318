// integration: real PostgreSQL (DATABASE_URL or embedded); the admin model routes driven by events/apigw fixtures
package ai.realstaging.projects;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.config.SecretBox;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.http.Json;
import ai.realstaging.common.staging.ModelSelection;
import ai.realstaging.common.testing.Events;
import ai.realstaging.common.testing.OfflineAws;
import ai.realstaging.common.testing.TestContext;
import ai.realstaging.common.testing.TestDatabase;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminModelsIT {
    private static final String KEY = "sk-proj-customer-key-0123456789abcdef";

    private final TestDatabase db = TestDatabase.shared();
    private final SecretBox box = TestAdmin.SECRETS;
    private Database database;
    private OfflineAws aws;
    private ProjectsHandler handler;

    @BeforeEach
    void setUp() {
        db.update("DELETE FROM staging_settings");
        db.update("DELETE FROM model_configs");
        aws = new OfflineAws();
        database = db.newDatabase();
        handler = new ProjectsHandler(new ProjectService(database, aws.storage("bucket"), aws.queue()),
                TestAdmin.on(database), Identity.DEFAULT_ROLES_CLAIM);
    }

    @AfterEach
    void tearDown() {
        database.close();
        aws.close();
    }

    // ---- requests, as API Gateway delivers them ----

    private static APIGatewayV2HTTPEvent route(String method, String template, String path, String body) {
        APIGatewayV2HTTPEvent event = Events.http("apigw/http_api_set_active_model.json");
        event.setRouteKey(method + " " + template);
        event.getRequestContext().setRouteKey(method + " " + template);
        event.getRequestContext().getHttp().setMethod(method);
        event.setRawPath(path);
        event.getRequestContext().getHttp().setPath(path);
        if (template.contains("{model}")) {
            event.setPathParameters(Map.of("model", path.split("/")[4]));
        }
        return Events.withBody(event, body);
    }

    private static APIGatewayV2HTTPEvent listModels() {
        return route("GET", "/v1/admin/models", "/v1/admin/models", null);
    }

    private static APIGatewayV2HTTPEvent activate(String body) {
        return Events.withBody(Events.http("apigw/http_api_set_active_model.json"), body);
    }

    private static APIGatewayV2HTTPEvent getConfig(String model) {
        return route("GET", "/v1/admin/models/{model}/config", "/v1/admin/models/" + model + "/config", null);
    }

    private static APIGatewayV2HTTPEvent saveConfig(String model, String body) {
        APIGatewayV2HTTPEvent event = Events.http("apigw/http_api_save_model_config.json");
        return Events.withBody(Events.withPathParameter(event, "model", model), body);
    }

    /** The same request from a signed-in user without the admin role. */
    private static APIGatewayV2HTTPEvent asNonAdmin(APIGatewayV2HTTPEvent event) {
        var jwt = event.getRequestContext().getAuthorizer().getJwt();
        Map<String, String> claims = new HashMap<>(jwt.getClaims());
        claims.remove(Identity.DEFAULT_ROLES_CLAIM);
        claims.put("sub", "auth0|agent-without-admin");
        jwt.setClaims(claims);
        return event;
    }

    private APIGatewayV2HTTPResponse invoke(APIGatewayV2HTTPEvent event) {
        return handler.handleRequest(event, new TestContext());
    }

    private static JsonNode ok(APIGatewayV2HTTPResponse response) {
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
        return Json.read(response.getBody());
    }

    private static JsonNode problem(APIGatewayV2HTTPResponse response, int status) {
        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(status);
        assertThat(response.getHeaders()).containsEntry("Content-Type", "application/problem+json");
        return Json.read(response.getBody());
    }

    private static Map<String, String> errors(JsonNode problem) {
        Map<String, String> errors = new HashMap<>();
        problem.path("errors").forEach(e -> errors.put(e.path("field").asText(), e.path("message").asText()));
        return errors;
    }

    private JsonNode model(JsonNode list, String id) {
        for (JsonNode item : list.path("items")) {
            if (item.path("id").asText().equals(id)) return item;
        }
        throw new AssertionError(id + " not listed");
    }

    // ---- role ----

    @Test
    void aSignedInNonAdminGets403OnEveryAdminRouteAndChangesNothing() {
        List<APIGatewayV2HTTPEvent> calls = List.of(listModels(), activate("{\"model_id\":\"flux-kontext-max\"}"),
                activate("not json"), getConfig("qwen-image-edit"), saveConfig("qwen-image-edit", "{\"parameters\":{\"go_fast\":false}}"));
        for (APIGatewayV2HTTPEvent call : calls) {
            JsonNode problem = problem(invoke(asNonAdmin(call)), 403);
            assertThat(problem.path("type").asText()).endsWith("/forbidden");
        }
        assertThat(db.queryLong("SELECT count(*) FROM staging_settings")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM model_configs")).isZero();
    }

    @Test
    void withoutATokenItIs401() {
        problem(invoke(Events.anonymous(listModels())), 401);
    }

    // ---- the registry and the active model ----

    @Test
    void theListShowsEveryModelWithItsPriceSchemaAndTheDefaultActive() {
        JsonNode list = ok(invoke(listModels()));

        assertThat(list.path("items")).extracting(n -> n.path("id").asText())
                .containsExactly("qwen-image-edit", "flux-kontext-max", "flux-kontext-pro", "seedream-4", "gpt-image-1");
        JsonNode qwen = model(list, "qwen-image-edit");
        assertThat(qwen.path("active").asBoolean()).isTrue();
        assertThat(qwen.path("name").asText()).isEqualTo("Qwen Image Edit");
        assertThat(qwen.path("description").asText()).isNotBlank();
        assertThat(qwen.path("price_per_image_usd").decimalValue()).isEqualByComparingTo("0.03");
        assertThat(qwen.path("selectable").asBoolean()).isTrue();
        assertThat(qwen.path("parameters")).anySatisfy(p -> {
            assertThat(p.path("name").asText()).isEqualTo("output_quality");
            assertThat(p.path("type").asText()).isEqualTo("integer");
            assertThat(p.path("default_value").asInt()).isEqualTo(90);
            assertThat(p.path("minimum").asInt()).isZero();
            assertThat(p.path("maximum").asInt()).isEqualTo(100);
        });
        JsonNode gpt = model(list, "gpt-image-1");
        assertThat(gpt.path("active").asBoolean()).isFalse();
        assertThat(gpt.path("selectable").asBoolean()).isFalse();
        assertThat(gpt.path("parameters")).anySatisfy(p -> {
            assertThat(p.path("name").asText()).isEqualTo("openai_api_key");
            assertThat(p.path("secret").asBoolean()).isTrue();
            assertThat(p.has("default_value")).isFalse();
        });
        assertThat(list.path("items")).filteredOn(i -> i.path("active").asBoolean()).hasSize(1);
    }

    @Test
    void switchingTheModelIsStoredAndListed() {
        JsonNode switched = ok(invoke(activate("{\"model_id\":\"flux-kontext-pro\"}")));

        assertThat(switched.path("id").asText()).isEqualTo("flux-kontext-pro");
        assertThat(switched.path("active").asBoolean()).isTrue();
        assertThat(db.queryString("SELECT active_model FROM staging_settings")).isEqualTo("flux-kontext-pro");
        JsonNode list = ok(invoke(listModels()));
        assertThat(model(list, "flux-kontext-pro").path("active").asBoolean()).isTrue();
        assertThat(model(list, "qwen-image-edit").path("active").asBoolean()).isFalse();
        assertThat(db.queryString("SELECT u.auth_sub FROM staging_settings s JOIN users u ON u.id = s.updated_by"))
                .isEqualTo("auth0|66a0c3d4e5f6a7b8c9d0e1f2");
    }

    @Test
    void anUnknownOrMissingModelIdIs422() {
        assertThat(errors(problem(invoke(activate("{\"model_id\":\"flux\"}")), 422)))
                .hasEntrySatisfying("model_id", m -> assertThat(m).contains("qwen-image-edit, flux-kontext-max"));
        assertThat(errors(problem(invoke(activate("{}")), 422))).containsKey("model_id");
        assertThat(errors(problem(invoke(activate("{\"model_id\":7}")), 422))).containsKey("model_id");
        problem(invoke(activate("[1]")), 400);
        assertThat(db.queryLong("SELECT count(*) FROM staging_settings")).isZero();
    }

    @Test
    void gptImage1IsNotSelectableUntilItsKeyIsSet() {
        JsonNode refused = problem(invoke(activate("{\"model_id\":\"gpt-image-1\"}")), 422);
        assertThat(errors(refused).get("model_id")).contains("openai_api_key").contains("/v1/admin/models/gpt-image-1/config");

        ok(invoke(saveConfig("gpt-image-1", "{\"secrets\":{\"openai_api_key\":\"" + KEY + "\"}}")));
        assertThat(model(ok(invoke(listModels())), "gpt-image-1").path("selectable").asBoolean()).isTrue();

        assertThat(ok(invoke(activate("{\"model_id\":\"gpt-image-1\"}"))).path("active").asBoolean()).isTrue();
    }

    // ---- configuration ----

    @Test
    void aModelsConfigShowsEveryParametersEffectiveValue() {
        JsonNode config = ok(invoke(getConfig("qwen-image-edit")));

        assertThat(config.path("model_id").asText()).isEqualTo("qwen-image-edit");
        assertThat(config.path("active").asBoolean()).isTrue();
        assertThat(config.path("parameters").path("output_quality").asInt()).isEqualTo(90);
        assertThat(config.path("parameters").path("go_fast").asBoolean()).isTrue();
        assertThat(config.path("secrets").isEmpty()).isTrue();
    }

    @Test
    void savedParametersApplyNullResetsAndOmittedOnesStay() {
        ok(invoke(saveConfig("qwen-image-edit", "{\"parameters\":{\"output_quality\":70,\"go_fast\":false}}")));
        JsonNode second = ok(invoke(saveConfig("qwen-image-edit", "{\"parameters\":{\"output_quality\":null}}")));

        assertThat(second.path("parameters").path("output_quality").asInt()).isEqualTo(90);
        assertThat(second.path("parameters").path("go_fast").asBoolean()).isFalse();
        assertThat(second.path("updated_at").asText()).isNotBlank();
        assertThat(ok(invoke(getConfig("qwen-image-edit"))).path("parameters").path("go_fast").asBoolean()).isFalse();
        assertThat(db.queryString("SELECT parameters::text FROM model_configs WHERE model_id = 'qwen-image-edit'"))
                .isEqualTo("{\"go_fast\": false}");
    }

    @Test
    void everyProblemOfAConfigIsReportedAtOnceAndNothingIsStored() {
        String body = """
                {"parameters": {"output_quality": 101, "output_format": "gif", "go_fast": "yes", "steps": 4,
                                "aspect_ratio": "5:7"},
                 "secrets": {"openai_api_key": "sk-x"},
                 "colour": "blue"}""";

        JsonNode problem = problem(invoke(saveConfig("qwen-image-edit", body)), 422);

        assertThat(errors(problem)).containsOnlyKeys("parameters.output_quality", "parameters.output_format",
                "parameters.go_fast", "parameters.steps", "parameters.aspect_ratio", "secrets.openai_api_key", "colour");
        assertThat(errors(problem).get("parameters.output_quality")).isEqualTo("must be from 0 to 100");
        assertThat(errors(problem).get("parameters.steps")).contains("go_fast, aspect_ratio, output_format, output_quality");
        assertThat(errors(problem).get("secrets.openai_api_key")).isEqualTo("is not a secret of qwen-image-edit; it has none");
        assertThat(db.queryLong("SELECT count(*) FROM model_configs")).isZero();
    }

    @Test
    void aSecretIsWriteOnlySealedAtRestAndItsProblemsNeverEchoIt() {
        String spaced = "sk-proj-has a space-0123456789";
        JsonNode refused = problem(invoke(saveConfig("gpt-image-1", "{\"secrets\":{\"openai_api_key\":\"" + spaced
                + "\"},\"parameters\":{\"openai_api_key\":\"" + KEY + "\"}}")), 422);
        assertThat(errors(refused)).containsOnlyKeys("secrets.openai_api_key", "parameters.openai_api_key");
        assertThat(refused.toString()).doesNotContain("has a space").doesNotContain(KEY);

        APIGatewayV2HTTPResponse saved = invoke(saveConfig("gpt-image-1",
                "{\"parameters\":{\"quality\":\"medium\"},\"secrets\":{\"openai_api_key\":\"" + KEY + "\"}}"));

        assertThat(saved.getBody()).doesNotContain(KEY);
        JsonNode config = ok(saved);
        assertThat(config.path("secrets").path("openai_api_key").path("set").asBoolean()).isTrue();
        assertThat(config.path("parameters").path("quality").asText()).isEqualTo("medium");
        assertThat(config.path("parameters").has("openai_api_key")).isFalse();
        assertThat(invoke(getConfig("gpt-image-1")).getBody()).doesNotContain(KEY).contains("\"set\":true");
        assertThat(invoke(listModels()).getBody()).doesNotContain(KEY);
        String stored = db.queryString("SELECT secrets::text FROM model_configs WHERE model_id = 'gpt-image-1'");
        assertThat(stored).contains("openai_api_key").doesNotContain(KEY).doesNotContain("customer-key");
        String sealed = Json.read(stored).path("openai_api_key").asText();
        assertThat(box.open(sealed, ModelSelection.context("gpt-image-1", "openai_api_key"))).isEqualTo(KEY);
    }

    @Test
    void anOmittedSecretStaysAndNullClearsIt() {
        ok(invoke(saveConfig("gpt-image-1", "{\"secrets\":{\"openai_api_key\":\"" + KEY + "\"}}")));

        JsonNode kept = ok(invoke(saveConfig("gpt-image-1", "{\"parameters\":{\"quality\":\"low\"}}")));
        assertThat(kept.path("secrets").path("openai_api_key").path("set").asBoolean()).isTrue();

        JsonNode cleared = ok(invoke(saveConfig("gpt-image-1", "{\"secrets\":{\"openai_api_key\":null}}")));
        assertThat(cleared.path("secrets").path("openai_api_key").path("set").asBoolean()).isFalse();
        assertThat(cleared.path("selectable").asBoolean()).isFalse();
    }

    @Test
    void theActiveModelsKeyCannotBeRemoved() {
        ok(invoke(saveConfig("gpt-image-1", "{\"secrets\":{\"openai_api_key\":\"" + KEY + "\"}}")));
        ok(invoke(activate("{\"model_id\":\"gpt-image-1\"}")));

        JsonNode conflict = problem(invoke(saveConfig("gpt-image-1", "{\"secrets\":{\"openai_api_key\":null}}")), 409);

        assertThat(conflict.path("detail").asText()).contains("active model");
        assertThat(ok(invoke(getConfig("gpt-image-1"))).path("secrets").path("openai_api_key").path("set").asBoolean()).isTrue();
    }

    @Test
    void anUnknownModelsConfigIs404() {
        problem(invoke(getConfig("dall-e-2")), 404);
        problem(invoke(saveConfig("dall-e-2", "{}")), 404);
    }

    @Test
    void aConfigBodyMustBeAnObjectOfObjects() {
        problem(invoke(saveConfig("qwen-image-edit", "[]")), 400);
        List<String> fields = new ArrayList<>(errors(problem(invoke(saveConfig("qwen-image-edit",
                "{\"parameters\":[1],\"secrets\":\"x\"}")), 422)).keySet());
        assertThat(fields).containsExactlyInAnyOrder("parameters", "secrets");
    }
}
