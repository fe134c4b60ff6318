// integration: real PostgreSQL and Redis (DATABASE_URL / REDIS_URL, else embedded), loopback S3/SQS (FakeAws) and Replicate (FakeReplicate); the function publishes over the Redis transport
package ai.realstaging.stageimage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.http.Json;
import ai.realstaging.common.realtime.RedisChannels;
import ai.realstaging.common.testing.Events;
import ai.realstaging.common.testing.TestContext;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.common.testing.TestDatabase.TestUser;
import ai.realstaging.common.testing.TestImages;
import ai.realstaging.common.testing.TestRedis;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every status change the staging function commits reaches the owner's channel, in order, and no one else's. */
class StagingEventsIT {
    private static final String BUCKET = TestSettings.BUCKET;

    private final TestDatabase db = TestDatabase.shared();
    private FakeAws aws;
    private FakeReplicate replicate;
    private StageImageHandler handler;
    private TestUser owner;
    private TestUser stranger;
    private UUID project;
    private final byte[] photo = TestImages.jpeg(320, 240);

    @BeforeEach
    void setUp() throws Exception {
        aws = new FakeAws();
        replicate = new FakeReplicate();
        replicate.output = TestImages.jpeg(160, 120);
        handler = new StageImageHandler(TestSettings.of(db, aws, replicate, Map.of(
                "REALTIME_TRANSPORT", "redis", "REDIS_URL", TestRedis.url().toString())));
        owner = db.createUser();
        stranger = db.createUser();
        project = db.createProject(owner.id(), "3 Quay Lane");
    }

    @AfterEach
    void tearDown() {
        aws.close();
        replicate.close();
    }

    @Test
    void uploadedQueuedProcessingReadyArriveInOrderOnTheOwnersChannelOnly() throws Exception {
        TestDatabase.Upload upload = db.createUpload(owner.id(), project, "living room.jpg", "image/jpeg", photo.length,
                "living_room", List.of("modern"));
        aws.put(BUCKET, upload.original().s3Key(), photo, "image/jpeg");
        UUID imageId = upload.image().id();

        try (var mine = new TestRedis.Subscription(RedisChannels.user(owner.id()));
             var theirs = new TestRedis.Subscription(RedisChannels.user(stranger.id()))) {
            assertThat(invoke(uploadMessage(upload.original().s3Key(), photo.length))).isEmpty();
            assertThat(invoke(stageMessage(imageId))).isEmpty();

            JsonNode original = Json.read(mine.next(5000));
            assertThat(original.path("type").asText()).isEqualTo("original.updated");
            assertThat(original.path("original").path("id").asText()).isEqualTo(upload.original().id().toString());
            assertThat(original.path("original").path("status").asText()).isEqualTo("uploaded");
            assertThat(original.path("original").path("images").path(0).path("status").asText()).isEqualTo("queued");

            List<String> statuses = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                JsonNode event = Json.read(mine.next(5000));
                assertThat(event.path("type").asText()).isEqualTo("image.updated");
                assertThat(event.path("image").path("id").asText()).isEqualTo(imageId.toString());
                statuses.add(event.path("image").path("status").asText());
                if (i == 2) {
                    // The same shape as GET /v1/images/{id}: presigned URLs of both files.
                    assertThat(event.path("image").path("urls").path("staged").asText()).contains("X-Amz-Signature=");
                    assertThat(event.path("image").path("urls").path("original").asText()).contains("X-Amz-Signature=");
                    assertThat(event.path("image").path("model").asText()).isEqualTo("qwen-image-edit");
                }
            }
            assertThat(statuses).containsExactly("queued", "processing", "ready");
            assertThat(mine.next(300)).isNull();
            assertThat(theirs.next(300)).isNull();
        }
    }

    @Test
    void aRejectedUploadPublishesTheRejectionAndItsFailedImages() throws Exception {
        byte[] png = TestImages.png(64, 64);
        TestDatabase.Upload upload = db.createUpload(owner.id(), project, "room.jpg", "image/jpeg", png.length,
                "bedroom", List.of("modern", "luxury"));
        aws.put(BUCKET, upload.original().s3Key(), png, "image/jpeg");

        try (var mine = new TestRedis.Subscription(RedisChannels.user(owner.id()))) {
            assertThat(invoke(uploadMessage(upload.original().s3Key(), png.length))).isEmpty();

            JsonNode original = Json.read(mine.next(5000));
            assertThat(original.path("original").path("status").asText()).isEqualTo("rejected");
            assertThat(original.path("original").path("rejection").path("code").asText()).isEqualTo("type_mismatch");
            for (int i = 0; i < 2; i++) {
                JsonNode image = Json.read(mine.next(5000)).path("image");
                assertThat(image.path("status").asText()).isEqualTo("failed");
                assertThat(image.path("error").path("code").asText()).isEqualTo("upload_rejected");
            }
        }
    }

    @Test
    void aPublishThatCannotReachRedisNeverFailsTheJob() {
        StageImageHandler unreachable = new StageImageHandler(TestSettings.of(db, aws, replicate, Map.of(
                "REALTIME_TRANSPORT", "redis",
                "REDIS_URL", "redis://127.0.0.1:" + ai.realstaging.common.testing.OfflineAws.closedPort())));
        TestDatabase.Upload upload = db.createUpload(owner.id(), project, "room.jpg", "image/jpeg", photo.length,
                "kitchen", List.of("modern"));
        aws.put(BUCKET, upload.original().s3Key(), photo, "image/jpeg");

        assertThat(unreachable.handleRequest(batch(uploadMessage(upload.original().s3Key(), photo.length)),
                new TestContext("stage-image", Duration.ofMinutes(2))).getBatchItemFailures()).isEmpty();
        assertThat(unreachable.handleRequest(batch(stageMessage(upload.image().id())),
                new TestContext("stage-image", Duration.ofMinutes(2))).getBatchItemFailures()).isEmpty();
        assertThat(db.queryString("SELECT status FROM images WHERE id = ?", upload.image().id())).isEqualTo("ready");
    }

    // ---- fixtures adapted to this test's rows ----

    private List<String> invoke(SQSEvent event) {
        return handler.handleRequest(event, new TestContext("stage-image", Duration.ofMinutes(2)))
                .getBatchItemFailures().stream().map(f -> f.getItemIdentifier()).toList();
    }

    private static SQSEvent batch(SQSEvent.SQSMessage... messages) {
        SQSEvent event = new SQSEvent();
        event.setRecords(new ArrayList<>(List.of(messages)));
        return event;
    }

    private List<String> invoke(SQSEvent.SQSMessage message) {
        return invoke(batch(message));
    }

    private static SQSEvent.SQSMessage uploadMessage(String key, long size) {
        SQSEvent.SQSMessage message = Events.sqs("sqs/sqs_s3_object_created.json").getRecords().getFirst();
        ObjectNode notification = (ObjectNode) Json.read(message.getBody());
        ObjectNode s3 = (ObjectNode) notification.path("Records").get(0).path("s3");
        ((ObjectNode) s3.path("bucket")).put("name", BUCKET).put("arn", "arn:aws:s3:::" + BUCKET);
        String encoded = Arrays.stream(key.split("/")).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8))
                .collect(Collectors.joining("/"));
        ((ObjectNode) s3.path("object")).put("key", encoded).put("size", size);
        message.setBody(Json.write(notification));
        message.setMessageId(UUID.randomUUID().toString());
        return message;
    }

    private static SQSEvent.SQSMessage stageMessage(UUID imageId) {
        SQSEvent.SQSMessage message = Events.sqs("sqs/sqs_stage_image.json").getRecords().getFirst();
        message.setBody(message.getBody().replace("c4a1e2f3-5b6c-4d7e-8f90-a1b2c3d4e5f6", imageId.toString()));
        message.setMessageId(UUID.randomUUID().toString());
        message.setReceiptHandle("receipt-" + message.getMessageId());
        return message;
    }
}
