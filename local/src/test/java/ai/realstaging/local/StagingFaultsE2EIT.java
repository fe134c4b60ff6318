package ai.realstaging.local;

// end-to-end: every Replicate fault through the real queue path of the in-JVM local stack (HTTP API,
// S3 upload, S3 event → SQS, event source mapping, stage-image, Replicate stand-in), PostgreSQL from
// DATABASE_URL or embedded

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.local.contract.ResponseContract;
import ai.realstaging.local.replicate.Fault;
import ai.realstaging.local.replicate.Prediction;
import ai.realstaging.local.replicate.ReplicateStandIn;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StagingFaultsE2EIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final TestDatabase db = TestDatabase.shared();
    private LocalStack stack;
    private ReplicateStandIn replicate;
    private SqsClient sqs;
    private ApiClient api;
    private ApiClient admin;
    private String projectId;

    @BeforeAll
    void start(@TempDir Path home) throws Exception {
        stack = LocalStack.start(new LocalStack.Options(Cli.root(), "127.0.0.1", 0, 0,
                db.databaseUrlSetting(), null, null, null, home));
        replicate = stack.replicate();
        sqs = stack.sqsClient();
        // Every answer held to openapi.yaml, the admin routes' included.
        api = new ApiClient(HTTP, stack.apiUrl(), stack.issuer().mint("faults-e2e", false, Duration.ofHours(1)),
                ResponseContract.ofRepository()::check);
        admin = new ApiClient(HTTP, stack.apiUrl(), stack.issuer().mint("faults-e2e-admin", true, Duration.ofHours(1)),
                ResponseContract.ofRepository()::check);
        projectId = api.post("/v1/projects", Map.of("name", "Faults")).body().path("id").asText();
    }

    @AfterAll
    void stop() {
        if (sqs != null) sqs.close();
        if (stack != null) stack.close();
    }

    @BeforeEach
    void fresh() throws Exception {
        replicate.clearFaults();
        replicate.setProcessingTime(Duration.ofMillis(300));
        db.update("DELETE FROM staging_settings");
        db.update("DELETE FROM usage_reservations WHERE user_id = (SELECT id FROM users WHERE auth_sub LIKE '%faults-e2e')");
    }

    // ---- one photo through the flow, and what became of it ----

    /** What a test looks at once the image is finished. */
    record Outcome(JsonNode image, String reservation, int predictionsMade, int createRequests, int deliveries) {
        String status() {
            return image.path("status").asText();
        }

        String errorCode() {
            return image.path("error").path("code").asText(null);
        }
    }

    /** Uploads a photo for one style and waits until its image is ready or failed and its message is gone. */
    private Outcome stageOnePhoto() throws Exception {
        int requestsBefore = replicate.createRequestCount();
        byte[] photo = Photos.emptyRoom(320, 240, "jpg");
        JsonNode started = api.post("/v1/projects/" + projectId + "/uploads", Map.of("filename", "room.jpg",
                "content_type", "image/jpeg", "size_bytes", photo.length, "room_type", "living_room",
                "styles", List.of("modern"))).body();
        String originalId = started.path("original").path("id").asText();
        String imageId = started.path("images").path(0).path("id").asText();
        assertThat(api.upload(started.path("upload"), photo)).isEqualTo(200);

        JsonNode image = awaitFinished(imageId);
        awaitQueueEmpty();
        int made = (int) replicate.predictions().stream().filter(p -> madeFor(p, originalId)).count();
        return new Outcome(image, db.queryString("SELECT status FROM usage_reservations WHERE image_id = ?::uuid", imageId),
                made, replicate.createRequestCount() - requestsBefore,
                (int) db.queryLong("SELECT attempts FROM images WHERE id = ?::uuid", imageId));
    }

    /** The photo URL in a prediction's input names the original it was made from. */
    private static boolean madeFor(Prediction prediction, String originalId) {
        return String.valueOf(prediction.input()).contains("/" + originalId + "/");
    }

    private JsonNode awaitFinished(String imageId) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        JsonNode image = null;
        while (System.nanoTime() < deadline) {
            image = api.get("/v1/images/" + imageId).body();
            if (List.of("ready", "failed").contains(image.path("status").asText())) return image;
            Thread.sleep(100);
        }
        throw new AssertionError("image " + imageId + " did not finish in " + PATIENCE + ": " + image);
    }

    private int messages(String queue) {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(stack.queueUrl(queue))
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    /** Every message handled and deleted: nothing visible, nothing in flight. */
    private void awaitQueueEmpty() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (messages("StagingQueue") > 0) {
            if (System.nanoTime() > deadline) throw new AssertionError("the staging queue still holds messages");
            Thread.sleep(50);
        }
    }

    private void assertReady(Outcome outcome) {
        assertThat(outcome.status()).as(outcome.image().toString()).isEqualTo("ready");
        assertThat(outcome.reservation()).isEqualTo("consumed");
        assertThat(outcome.image().path("urls").path("staged").asText()).isNotBlank();
    }

    private void assertFailed(Outcome outcome, String code) {
        assertThat(outcome.status()).as(outcome.image().toString()).isEqualTo("failed");
        assertThat(outcome.errorCode()).isEqualTo(code);
        assertThat(outcome.image().path("error").path("message").asText()).isNotBlank().doesNotContain("Exception");
        assertThat(outcome.reservation()).isEqualTo("released");
    }

    // ---- the happy path, for comparison ----

    @Test
    void withoutAFaultOnePredictionOneDeliveryReady() throws Exception {
        Outcome outcome = stageOnePhoto();

        assertReady(outcome);
        assertThat(outcome.predictionsMade()).isEqualTo(1);
        assertThat(outcome.createRequests()).isEqualTo(1);
        assertThat(outcome.deliveries()).isEqualTo(1);
        assertThat(messages("StagingDeadLetterQueue")).isZero();
        Prediction made = replicate.predictions().stream()
                .filter(p -> madeFor(p, outcome.image().path("original_id").asText())).findFirst().orElseThrow();
        assertThat((String) made.input().get("prompt")).as("the prompt the model got").contains("living room")
                .endsWith(ai.realstaging.common.staging.Prompts.GUARD_RAILS);
    }

    // ---- faults on the create call ----

    @Test
    void rateLimitedTheMessageComesBackAfterRetryAfterAndOnePredictionIsMade() throws Exception {
        replicate.inject(new Fault.RateLimited(1));

        Outcome outcome = stageOnePhoto();

        assertReady(outcome);
        assertThat(outcome.createRequests()).isEqualTo(2);
        assertThat(outcome.predictionsMade()).isEqualTo(1);
        assertThat(outcome.deliveries()).as("retried once").isEqualTo(2);
    }

    @Test
    void aServerErrorOnCreateIsRetriedAndLookedForBeforeOnePredictionIsMade() throws Exception {
        int listsBefore = replicate.listCount();
        replicate.inject(new Fault.ServerError(503));

        Outcome outcome = stageOnePhoto();

        assertReady(outcome);
        assertThat(outcome.createRequests()).isEqualTo(2);
        assertThat(outcome.predictionsMade()).isEqualTo(1);
        assertThat(outcome.deliveries()).isEqualTo(2);
        assertThat(replicate.listCount() - listsBefore).as("a 5xx may hide a made prediction: looked for once").isEqualTo(1);
    }

    @Test
    void aLostCreateAnswerIsFoundAndResumedWithExactlyOneCreate() throws Exception {
        int listsBefore = replicate.listCount();
        replicate.inject(new Fault.CreateThenDropConnection());

        Outcome outcome = stageOnePhoto();

        assertReady(outcome);
        assertThat(outcome.createRequests()).as("never a second create for this image").isEqualTo(1);
        assertThat(outcome.predictionsMade()).isEqualTo(1);
        assertThat(outcome.deliveries()).isEqualTo(2);
        assertThat(replicate.listCount() - listsBefore).isGreaterThanOrEqualTo(1);
        String predictionId = replicate.predictions().stream()
                .filter(p -> madeFor(p, outcome.image().path("original_id").asText())).findFirst().orElseThrow().id();
        assertThat(db.queryString("SELECT prediction_id FROM images WHERE id = ?::uuid", outcome.image().path("id").asText()))
                .isEqualTo(predictionId);
    }

    // ---- slow and stuttering predictions ----

    @Test
    void aSlowStartIsWaitedForWithinTheInvocation() throws Exception {
        replicate.inject(new Fault.SlowStart(Duration.ofSeconds(3)));

        Outcome outcome = stageOnePhoto();

        assertReady(outcome);
        assertThat(outcome.predictionsMade()).isEqualTo(1);
        assertThat(outcome.deliveries()).isEqualTo(1);
    }

    @Test
    void aSlowPredictionIsPolledToTheEnd() throws Exception {
        replicate.inject(new Fault.SlowPrediction(Duration.ofSeconds(3)));

        Outcome outcome = stageOnePhoto();

        assertReady(outcome);
        assertThat(outcome.predictionsMade()).isEqualTo(1);
        assertThat(outcome.createRequests()).isEqualTo(1);
    }

    @Test
    void pollsThatTimeOutOrFailAreRetriedAndTheRecordedPredictionResumedNotPaidAgain() throws Exception {
        replicate.setProcessingTime(Duration.ofSeconds(2));
        replicate.inject(new Fault.GetFails(504, 2));

        Outcome outcome = stageOnePhoto();

        assertReady(outcome);
        assertThat(outcome.createRequests()).isEqualTo(1);
        assertThat(outcome.predictionsMade()).isEqualTo(1);
        assertThat(outcome.deliveries()).as("the failed poll retried the message").isGreaterThanOrEqualTo(2);
    }

    // ---- predictions that end badly ----

    @Test
    void aFailedPredictionFailsTheImageAndReleasesItsQuota() throws Exception {
        replicate.inject(new Fault.PredictionFails("CUDA out of memory"));

        Outcome outcome = stageOnePhoto();

        assertFailed(outcome, "model_failed");
        assertThat(outcome.image().path("error").path("message").asText()).doesNotContain("CUDA");
        assertThat(outcome.predictionsMade()).isEqualTo(1);
        assertThat(outcome.deliveries()).as("acknowledged, not retried").isEqualTo(1);
    }

    @Test
    void aCanceledPredictionFailsTheImageAndReleasesItsQuota() throws Exception {
        replicate.inject(new Fault.PredictionCanceled());

        Outcome outcome = stageOnePhoto();

        assertFailed(outcome, "model_failed");
        assertThat(outcome.predictionsMade()).isEqualTo(1);
        assertThat(outcome.deliveries()).isEqualTo(1);
    }

    @Test
    void anOutputThatIsNotAnImageFailsTheImage() throws Exception {
        replicate.inject(new Fault.OutputNotAnImage());

        Outcome outcome = stageOnePhoto();

        assertFailed(outcome, "model_bad_output");
        assertThat(outcome.predictionsMade()).isEqualTo(1);
        assertThat(outcome.deliveries()).isEqualTo(1);
    }

    @Test
    void anOutputTooLargeIsNotStoredAndFailsTheImage() throws Exception {
        replicate.inject(new Fault.OutputTooLarge(60L * 1024 * 1024));

        Outcome outcome = stageOnePhoto();

        assertFailed(outcome, "model_output_too_large");
        assertThat(outcome.image().path("urls").has("staged")).isFalse();
        assertThat(outcome.predictionsMade()).isEqualTo(1);
        assertThat(outcome.deliveries()).isEqualTo(1);
    }

    // ---- the last delivery before the dead-letter queue ----

    @Test
    void onTheLastDeliveryBeforeTheDeadLetterQueueTheImageFailsAndTheMessageIsDeleted() throws Exception {
        for (int i = 0; i < 5; i++) replicate.inject(new Fault.RateLimited(1));

        Outcome outcome = stageOnePhoto();

        assertFailed(outcome, "staging_unavailable");
        assertThat(outcome.deliveries()).as("the queue's maxReceiveCount").isEqualTo(5);
        assertThat(outcome.createRequests()).as("each delivery asked once, each was refused").isEqualTo(5);
        assertThat(outcome.predictionsMade()).isZero();
        assertThat(messages("StagingDeadLetterQueue")).as("handled, not dead-lettered").isZero();
    }

    // ---- the model an admin picks ----

    @Test
    void theModelAnAdminSwitchesToRunsTheNextJob() throws Exception {
        assertThat(admin.put("/v1/admin/models/active", Map.of("model_id", "flux-kontext-pro")).status()).isEqualTo(200);
        assertThat(admin.put("/v1/admin/models/flux-kontext-pro/config", Map.of("parameters",
                Map.of("output_format", "png"))).status()).isEqualTo(200);

        Outcome outcome = stageOnePhoto();

        assertReady(outcome);
        assertThat(outcome.image().path("model").asText()).isEqualTo("flux-kontext-pro");
        Prediction made = replicate.predictions().stream()
                .filter(p -> madeFor(p, outcome.image().path("original_id").asText())).findFirst().orElseThrow();
        assertThat(made.model()).isEqualTo("black-forest-labs/flux-kontext-pro");
        assertThat(made.input()).containsEntry("output_format", "png");
        db.update("DELETE FROM model_configs");
    }

    @Test
    void aWebpOutputIsStoredAsAWebpWithTheDisclosureLabel() throws Exception {
        assertThat(admin.put("/v1/admin/models/qwen-image-edit/config", Map.of("parameters",
                Map.of("output_format", "webp"))).status()).isEqualTo(200);

        Outcome outcome = stageOnePhoto();

        assertReady(outcome);
        assertThat(db.queryString("SELECT staged_key FROM images WHERE id = ?::uuid", outcome.image().path("id").asText()))
                .endsWith(".webp");
        java.net.http.HttpResponse<byte[]> staged = api.download(outcome.image().path("urls").path("staged").asText());
        assertThat(staged.headers().firstValue("Content-Type")).hasValue("image/webp");
        java.awt.image.BufferedImage image = ai.realstaging.common.staging.WebpLossless.decode(staged.body());
        var label = ai.realstaging.common.staging.DisclosureLabel.placement(image.getWidth(), image.getHeight());
        int white = 0;
        for (int y = label.y(); y < label.y() + label.height(); y++) {
            for (int x = label.x(); x < label.x() + label.width(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == 0xFFFFFF) white++;
            }
        }
        assertThat(white).as("the label's white text").isGreaterThan(50);
        db.update("DELETE FROM model_configs");
    }

    @Test
    void gptImage1RunsWithTheCustomersKeyOnceAnAdminSetIt() throws Exception {
        String key = "sk-proj-e2e-customer-key-0123456789";
        assertThat(admin.put("/v1/admin/models/active", Map.of("model_id", "gpt-image-1")).status()).isEqualTo(422);
        assertThat(admin.put("/v1/admin/models/gpt-image-1/config", Map.of("secrets", Map.of("openai_api_key", key)))
                .status()).isEqualTo(200);
        assertThat(admin.put("/v1/admin/models/active", Map.of("model_id", "gpt-image-1")).status()).isEqualTo(200);

        Outcome outcome = stageOnePhoto();

        assertReady(outcome);
        Prediction made = replicate.predictions().stream()
                .filter(p -> madeFor(p, outcome.image().path("original_id").asText())).findFirst().orElseThrow();
        assertThat(made.model()).isEqualTo("openai/gpt-image-1");
        assertThat(made.input()).containsEntry("openai_api_key", key);
        assertThat(admin.get("/v1/admin/models/gpt-image-1/config").body().toString()).doesNotContain(key);
        db.update("DELETE FROM staging_settings");
        db.update("DELETE FROM model_configs");
    }

    @Test
    void theCliStagesWithAChosenModelAndSwitchesBack(@TempDir Path out) throws Exception {
        Path photo = out.resolve("room.jpg");
        java.nio.file.Files.write(photo, Photos.emptyRoom(320, 240, "jpg"));
        StageRun run = new StageRun(HTTP, stack.apiUrl(), stack.issuer().mint("faults-e2e", false, Duration.ofHours(1)),
                stack.issuer().mint("faults-e2e-admin", true, Duration.ofHours(1)));

        int code = run.run(photo, java.nio.file.Files.readAllBytes(photo), ai.realstaging.common.staging.ImageFormat.JPEG,
                "bedroom", "coastal", null, null, out.resolve("staged.jpg"), "seedream-4");

        assertThat(code).isZero();
        assertThat(replicate.predictions().getLast().model()).isEqualTo("bytedance/seedream-4");
        assertThat(java.nio.file.Files.size(out.resolve("staged.jpg"))).isPositive();
        JsonNode models = admin.get("/v1/admin/models").body();
        for (JsonNode model : models.path("items")) {
            assertThat(model.path("active").asBoolean()).as(model.path("id").asText())
                    .isEqualTo(model.path("id").asText().equals("qwen-image-edit"));
        }
    }
}
