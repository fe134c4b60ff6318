package ai.realstaging.local;

// end-to-end: the routes no scenario reaches otherwise (profile, batch uploads), through the local stack in
// this JVM (real PostgreSQL, in-JVM S3 and SQS), each response held to openapi.yaml by the client

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.local.contract.ResponseContract;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DocumentedShapesE2EIT {
    private LocalStack stack;

    @BeforeAll
    void start(@TempDir Path home) throws Exception {
        stack = LocalStack.start(new LocalStack.Options(Cli.root(), "127.0.0.1", 0, 0,
                TestDatabase.shared().databaseUrlSetting(), null, null, null, home));
    }

    @AfterAll
    void stop() {
        if (stack != null) stack.close();
    }

    private ApiClient as(String user) {
        return new ApiClient(HttpClient.newHttpClient(), stack.apiUrl(), stack.issuer().mint(user, false, Duration.ofHours(1)),
                ResponseContract.ofRepository()::check);
    }

    @Test
    void theProfileIsReadChangedAndClearedAsDocumented() throws Exception {
        ApiClient api = as("shapes-profile");
        assertThat(api.get("/v1/me").status()).isEqualTo(200);

        ApiClient.Reply changed = api.patch("/v1/me", Map.of("full_name", "Alice Agent", "billing_address",
                Map.of("line1", "12 Maple Street", "city", "Springfield", "country", "us"),
                "preferences", Map.of("default_style", "scandinavian")));
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.body().path("billing_address").path("country").asText()).isEqualTo("US");
        assertThat(changed.body().path("preferences").path("default_style").asText()).isEqualTo("scandinavian");

        ApiClient.Reply cleared = api.patch("/v1/me", "{\"billing_address\": null, \"full_name\": null}");
        assertThat(cleared.status()).isEqualTo(200);
        assertThat(cleared.body().path("billing_address").isNull()).isTrue();
        assertThat(cleared.body().path("preferences").path("default_style").asText()).isEqualTo("scandinavian");

        ApiClient.Reply refused = api.patch("/v1/me", Map.of("nickname", "Al", "phone", "call me"));
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().path("errors").findValuesAsText("field")).contains("nickname", "phone");
    }

    @Test
    void aBatchAnswersEachItemAsDocumented() throws Exception {
        ApiClient api = as("shapes-batch");
        String project = api.post("/v1/projects", Map.of("name", "Batch")).body().path("id").asText();
        ApiClient.Reply batch = api.post("/v1/projects/" + project + "/uploads/batch", Map.of("items", List.of(
                Map.of("filename", "a.jpg", "content_type", "image/jpeg", "size_bytes", 1000,
                        "room_type", "kitchen", "styles", List.of("modern")),
                Map.of("filename", "b.gif", "content_type", "image/gif", "size_bytes", 1000,
                        "room_type", "kitchen", "styles", List.of("modern")))));
        assertThat(batch.status()).isEqualTo(200);
        JsonNode items = batch.body().path("items");
        assertThat(items.findValuesAsText("index")).containsExactly("0", "1");
        assertThat(items.path(0).path("status").asInt()).isEqualTo(201);
        assertThat(items.path(1).path("status").asInt()).isEqualTo(415);

        assertThat(api.post("/v1/projects/" + project + "/uploads/batch", Map.of("items", List.of())).status())
                .isEqualTo(422);
    }
}
