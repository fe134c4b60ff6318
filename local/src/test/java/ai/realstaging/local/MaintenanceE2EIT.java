package ai.realstaging.local;

// end-to-end: the maintenance function invoked through the local stack (a database of its own, in-JVM S3 and
// SQS, the staging queue's event source mapping, the Replicate stand-in) on the events/scheduled fixture

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.db.ImageRepository;
import ai.realstaging.common.db.OriginalRepository;
import ai.realstaging.common.queue.StagingQueue;
import ai.realstaging.common.staging.ModelRegistry;
import ai.realstaging.common.staging.ModelSettings;
import ai.realstaging.common.staging.Prediction;
import ai.realstaging.common.staging.Prompts;
import ai.realstaging.common.staging.ReplicateClient;
import ai.realstaging.common.staging.StagingModel;
import ai.realstaging.common.storage.Storage;
import ai.realstaging.common.testing.Events;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.common.testing.TestDatabase.TestUser;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MaintenanceE2EIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final TestDatabase db = TestDatabase.isolated();
    private LocalStack stack;
    private S3Client s3;
    private SqsClient sqs;
    private S3Presigner presigner;

    @BeforeAll
    void start(@TempDir Path home) throws Exception {
        stack = LocalStack.start(new LocalStack.Options(Cli.root(), "127.0.0.1", 0, 0, db.databaseUrlSetting(),
                null, null, null, home));
        s3 = stack.s3Client();
        sqs = stack.sqsClient();
        presigner = S3Presigner.builder().endpointOverride(stack.awsEndpoint()).region(Region.of(LocalStack.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(LocalStack.AWS_KEY, LocalStack.AWS_SECRET)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build();
    }

    @AfterAll
    void stop() {
        if (presigner != null) presigner.close();
        if (s3 != null) s3.close();
        if (sqs != null) sqs.close();
        if (stack != null) stack.close();
    }

    /** One scheduled run, as EventBridge would invoke the function. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> sweep() throws InterruptedException {
        return (Map<String, Object>) stack.function("MaintenanceFunction")
                .invoke(Events.scheduled("scheduled/scheduled_event.json"));
    }

    /**
     * A verified photo whose image is queued but whose stage message never went out. The photo sits
     * outside uploads/, so putting it announces nothing (an S3 event would make the staging
     * function send the message itself).
     */
    private UUID queuedWithoutAMessage(TestUser user) {
        UUID project = db.createProject(user.id(), "9 Harbour Lane");
        byte[] photo = Photos.emptyRoom(320, 240, "jpg");
        TestDatabase.Upload upload = db.createUpload(user.id(), project, "room.jpg", "image/jpeg", photo.length,
                "living_room", List.of("scandinavian"));
        String key = "fixtures/" + upload.original().id() + "/room.jpg";
        s3.putObject(r -> r.bucket(LocalStack.BUCKET).key(key).contentType("image/jpeg"), RequestBody.fromBytes(photo));
        db.update("UPDATE originals SET s3_key = ? WHERE id = ?", key, upload.original().id());
        db.withConnection(c -> {
            OriginalRepository.markUploaded(c, upload.original().id(), 320, 240);
            return ImageRepository.queueAwaiting(c, upload.original().id());
        });
        return upload.image().id();
    }

    private String status(UUID image) {
        return db.queryString("SELECT status FROM images WHERE id = ?", image);
    }

    private void awaitStatus(UUID image, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && !expected.equals(status(image))) Thread.sleep(100);
        assertThat(status(image)).as("image %s after %s", image, WAIT).isEqualTo(expected);
    }

    /** Until the staging queue holds nothing, visible or in flight. */
    private void awaitQueueDrained() throws InterruptedException {
        String url = stack.queueUrl("StagingQueue");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            var attributes = sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
            if (attributes.values().stream().allMatch("0"::equals)) return;
            Thread.sleep(100);
        }
        throw new AssertionError("the staging queue did not drain in " + WAIT);
    }

    @Test
    void anAbandonedUploadExpiresAndTheUsageTheApiReportsComesBack() throws Exception {
        ApiClient api = new ApiClient(HttpClient.newHttpClient(), stack.apiUrl(),
                stack.issuer().mint("abandoner-maintenance", false, Duration.ofHours(1)));
        String project = api.post("/v1/projects", Map.of("name", "Abandoned")).body().path("id").asText();
        JsonNode started = api.post("/v1/projects/" + project + "/uploads", Map.of("filename", "hall.jpg",
                "content_type", "image/jpeg", "size_bytes", 1234, "room_type", "entryway",
                "styles", List.of("modern", "coastal"))).body();
        String original = started.path("original").path("id").asText();
        assertThat(api.get("/v1/billing/usage").body().path("used").asInt()).isEqualTo(2);

        // Nobody PUTs the file; its URL expired six minutes ago (it was started 21 minutes ago).
        Instant expired = Instant.now().minus(Duration.ofMinutes(6));
        db.update("UPDATE originals SET upload_expires_at = ?, created_at = ?, updated_at = ? WHERE id = ?::uuid",
                expired, expired.minus(Duration.ofMinutes(15)), expired.minus(Duration.ofMinutes(15)), original);
        Map<String, Object> summary = sweep();

        assertThat(summary).containsEntry("uploads_expired", 1).containsEntry("images_expired", 2)
                .containsEntry("failed", List.of());
        for (JsonNode started1 : started.path("images")) {
            JsonNode image = api.get("/v1/images/" + started1.path("id").asText()).body();
            assertThat(image.path("status").asText()).isEqualTo("failed");
            assertThat(image.path("error").path("code").asText()).isEqualTo("upload_expired");
        }
        assertThat(api.get("/v1/billing/usage").body().path("used").asInt()).isZero();
        JsonNode originals = api.get("/v1/projects/" + project + "/originals").body();
        assertThat(originals.path("items").path(0).path("status").asText()).isEqualTo("expired");
    }

    @Test
    void aQueuedImageWhoseMessageWasLostIsStagedOnceAndADuplicateMessageChangesNothing() throws Exception {
        TestUser user = db.createUser();
        UUID image = queuedWithoutAMessage(user);
        db.update("UPDATE images SET updated_at = ? WHERE id = ?", Instant.now().minus(Duration.ofMinutes(21)), image);
        int created = stack.replicate().createCount();

        assertThat(sweep()).containsEntry("messages_resent", 1);
        awaitStatus(image, "ready");

        assertThat(stack.replicate().createCount() - created).as("predictions paid for").isEqualTo(1);
        assertThat(db.queryLong("SELECT attempts FROM images WHERE id = ?", image)).isEqualTo(1);
        assertThat(db.queryString("SELECT status FROM usage_reservations WHERE image_id = ?", image)).isEqualTo("consumed");

        // The claim is exactly-once: a second stage message for the same image stages nothing.
        sqs.sendMessage(r -> r.queueUrl(stack.queueUrl("StagingQueue")).messageBody(StagingQueue.stageMessage(image)));
        awaitQueueDrained();
        assertThat(stack.replicate().createCount() - created).isEqualTo(1);
        assertThat(db.queryLong("SELECT attempts FROM images WHERE id = ?", image)).isEqualTo(1);
        assertThat(status(image)).isEqualTo("ready");
    }

    @Test
    void aStuckImageIsRequeuedAndResumesItsRecordedPredictionWithoutPayingAgain() throws Exception {
        TestUser user = db.createUser();
        UUID image = queuedWithoutAMessage(user);
        String key = db.queryString("SELECT o.s3_key FROM originals o JOIN images i ON i.original_id = o.id"
                + " WHERE i.id = ?", image);
        // A worker created the prediction and recorded it, then died; its message went to the DLQ.
        StagingModel model = new ModelRegistry().defaultModel();
        URI photo = URI.create(new Storage(s3, presigner, LocalStack.BUCKET)
                .presignDownload(key, Duration.ofMinutes(30), null).url());
        ReplicateClient replicate = new ReplicateClient(ReplicateClient.defaultHttpClient(),
                stack.replicate().baseUrl(), () -> LocalStack.STAND_IN_TOKEN);
        Prediction prediction = replicate.create(model.replicateModel(),
                model.input(photo, Prompts.compose("living_room", "scandinavian", "stage", null), null,
                        ModelSettings.DEFAULTS), 1,
                Duration.ofMinutes(10));
        db.update("""
                UPDATE images SET status = 'processing', attempts = 1, model = ?, prediction_id = ?,
                                  started_at = ?, lease_until = ?
                WHERE id = ?""", model.id(), prediction.id(), Instant.now().minus(Duration.ofMinutes(42)),
                Instant.now().minus(Duration.ofMinutes(36)), image);
        int created = stack.replicate().createCount();

        assertThat(sweep()).containsEntry("images_requeued", 1);
        awaitStatus(image, "ready");

        assertThat(stack.replicate().createCount()).as("no second prediction").isEqualTo(created);
        assertThat(db.queryString("SELECT prediction_id FROM images WHERE id = ?", image)).isEqualTo(prediction.id());
        assertThat(db.queryLong("SELECT attempts FROM images WHERE id = ?", image)).isEqualTo(2);
        String staged = db.queryString("SELECT staged_key FROM images WHERE id = ?", image);
        assertThat(s3.getObjectAsBytes(r -> r.bucket(LocalStack.BUCKET).key(staged)).asByteArray()).isNotEmpty();
    }
}
