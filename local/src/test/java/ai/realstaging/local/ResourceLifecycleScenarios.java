package ai.realstaging.local;

// end-to-end scenarios of the resources after an upload (re-stage, retry, download, delete with its
// files), over HTTP against a local stack (real PostgreSQL, Replicate stand-in, local token issuer);
// subclasses choose S3 and SQS. Every response the API gives is checked against openapi.yaml.

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.local.contract.ResponseContract;
import ai.realstaging.local.replicate.Fault;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ResourceLifecycleScenarios {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    LocalStack stack;
    private final String userSuffix = "-" + getClass().getSimpleName().toLowerCase();

    /** The S3 and SQS endpoint to run against, or null for the in-JVM emulators. */
    abstract String awsEndpoint();

    /** Whether the S3 behind it applies a presigned GET's response-content-disposition, as S3 does. */
    boolean appliesResponseOverrides() {
        return true;
    }

    @BeforeAll
    void start(@TempDir Path home) throws Exception {
        LocalStack.Options options = new LocalStack.Options(Cli.root(), "127.0.0.1", 0, 0,
                TestDatabase.shared().databaseUrlSetting(), awsEndpoint(), null, null, home);
        stack = LocalStack.start(options);
    }

    @AfterAll
    void stop() {
        if (stack != null) stack.close();
    }

    private ApiClient as(String user) {
        return new ApiClient(HTTP, stack.apiUrl(), stack.issuer().mint(user + userSuffix, false, Duration.ofHours(1)),
                ResponseContract.ofRepository()::check);
    }

    private record Staged(String projectId, String originalId, String uploadKey, List<JsonNode> images) {}

    /** A project with one photo uploaded and staged in the given styles. */
    private Staged stagedPhoto(ApiClient api, String... styles) throws Exception {
        String projectId = api.post("/v1/projects", Map.of("name", "Maple Street 12")).body().path("id").asText();
        byte[] photo = Photos.emptyRoom(320, 240, "jpg");
        JsonNode started = api.post("/v1/projects/" + projectId + "/uploads", Map.of("filename", "Living Room.jpg",
                "content_type", "image/jpeg", "size_bytes", photo.length, "room_type", "living_room",
                "styles", List.of(styles))).body();
        assertThat(api.upload(started.path("upload"), photo)).isEqualTo(200);
        List<JsonNode> images = new java.util.ArrayList<>();
        for (JsonNode image : started.path("images")) {
            images.add(awaitImage(api, image.path("id").asText(), "ready", "failed"));
        }
        String url = started.path("upload").path("url").asText();
        String key = URI.create(url).getPath().substring(URI.create(url).getPath().indexOf("/uploads/") + 1);
        return new Staged(projectId, started.path("original").path("id").asText(), key, images);
    }

    private static JsonNode awaitImage(ApiClient api, String imageId, String... terminal) throws Exception {
        return api.awaitImage(imageId, Duration.ofSeconds(10), terminal);
    }


    private boolean stored(String key) {
        try {
            stack.s3Client().headObject(r -> r.bucket(LocalStack.BUCKET).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) return false;
            throw e;
        }
    }

    private static String stagedKey(JsonNode image) {
        String path = URI.create(image.path("urls").path("staged").asText()).getPath();
        return path.substring(path.indexOf("/staged/") + 1);
    }

    @Test
    void aReStageRunsThroughTheQueueToANewReadyImage() throws Exception {
        ApiClient api = as("restager");
        Staged staged = stagedPhoto(api, "modern");

        ApiClient.Reply created = api.post("/v1/originals/" + staged.originalId() + "/images",
                Map.of("style", "coastal", "seed", 7));
        assertThat(created.status()).isEqualTo(201);
        JsonNode ready = awaitImage(api, created.body().path("id").asText(), "ready", "failed");

        assertThat(ready.path("status").asText()).isEqualTo("ready");
        assertThat(ready.path("style").asText()).isEqualTo("coastal");
        assertThat(ready.path("room_type").asText()).isEqualTo("living_room");
        JsonNode original = api.get("/v1/originals/" + staged.originalId()).body();
        assertThat(original.path("images")).hasSize(2);
    }

    @Test
    void aFailedImageIsRetriedToReady() throws Exception {
        ApiClient api = as("retrier");
        stack.replicate().inject(new Fault.PredictionFails("NSFW content detected"));
        Staged staged = stagedPhoto(api, "modern");
        JsonNode failed = staged.images().getFirst();
        assertThat(failed.path("status").asText()).isEqualTo("failed");

        ApiClient.Reply retried = api.post("/v1/images/" + failed.path("id").asText() + "/retry", "");
        assertThat(retried.status()).isEqualTo(202);
        assertThat(retried.body().path("status").asText()).isEqualTo("queued");

        assertThat(awaitImage(api, failed.path("id").asText(), "ready", "failed").path("status").asText()).isEqualTo("ready");
        assertThat(api.post("/v1/images/" + failed.path("id").asText() + "/retry", "").status()).isEqualTo(409);
    }

    @Test
    void aDownloadRedirectsToTheBytesAsAnAttachment() throws Exception {
        ApiClient api = as("downloader");
        Staged staged = stagedPhoto(api, "modern");
        String imageId = staged.images().getFirst().path("id").asText();

        HttpResponse<String> redirect = api.raw("/v1/images/" + imageId + "/download?kind=staged");

        assertThat(redirect.statusCode()).isEqualTo(302);
        String location = redirect.headers().firstValue("Location").orElseThrow();
        assertThat(java.net.URLDecoder.decode(URI.create(location).getRawQuery(), java.nio.charset.StandardCharsets.UTF_8))
                .contains("response-content-disposition=attachment; filename=\"Living_Room-modern-staged.jpg\"");
        HttpResponse<byte[]> file = api.download(location);
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        if (appliesResponseOverrides()) {
            assertThat(file.headers().firstValue("Content-Disposition"))
                    .hasValue("attachment; filename=\"Living_Room-modern-staged.jpg\"");
        }
        assertThat(file.body()).hasSizeGreaterThan(100);
    }

    @Test
    void deletingAnImageRemovesItsStagedFileButKeepsThePhoto() throws Exception {
        ApiClient api = as("pruner");
        Staged staged = stagedPhoto(api, "modern", "coastal");
        JsonNode image = staged.images().getFirst();
        String stagedKey = stagedKey(image);
        assertThat(stored(stagedKey)).isTrue();

        assertThat(api.delete("/v1/images/" + image.path("id").asText()).status()).isEqualTo(204);

        assertThat(stored(stagedKey)).isFalse();
        assertThat(stored(staged.uploadKey())).isTrue();
        assertThat(stored(stagedKey(staged.images().get(1)))).isTrue();
        assertThat(api.get("/v1/images/" + image.path("id").asText()).status()).isEqualTo(404);
    }

    @Test
    void deletingAProjectRemovesEveryFileOfIt() throws Exception {
        ApiClient api = as("mover");
        Staged staged = stagedPhoto(api, "modern", "coastal");
        List<String> keys = new java.util.ArrayList<>(List.of(staged.uploadKey()));
        staged.images().forEach(i -> keys.add(stagedKey(i)));
        keys.forEach(k -> assertThat(stored(k)).as(k).isTrue());

        assertThat(as("intruder").delete("/v1/projects/" + staged.projectId()).status()).isEqualTo(404);
        keys.forEach(k -> assertThat(stored(k)).as(k).isTrue());
        assertThat(api.delete("/v1/projects/" + staged.projectId()).status()).isEqualTo(204);

        keys.forEach(k -> assertThat(stored(k)).as(k).isFalse());
        assertThat(api.get("/v1/projects/" + staged.projectId()).status()).isEqualTo(404);
        assertThat(api.get("/v1/originals/" + staged.originalId()).status()).isEqualTo(404);
    }
}
