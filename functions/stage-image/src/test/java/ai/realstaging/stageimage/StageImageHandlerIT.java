// integration: real PostgreSQL (DATABASE_URL or embedded), loopback S3/SQS (FakeAws) and Replicate (FakeReplicate) servers
package ai.realstaging.stageimage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.db.ImageRepository;
import ai.realstaging.common.db.OriginalRepository;
import ai.realstaging.common.http.Json;
import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.ImageStatus;
import ai.realstaging.common.model.Original;
import ai.realstaging.common.model.OriginalStatus;
import ai.realstaging.common.staging.Prompts;
import ai.realstaging.common.testing.Events;
import ai.realstaging.common.testing.TestContext;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.common.testing.TestDatabase.TestUser;
import ai.realstaging.common.testing.TestImages;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StageImageHandlerIT {
    private static final String BUCKET = TestSettings.BUCKET;

    private final TestDatabase db = TestDatabase.shared();
    private FakeAws aws;
    private FakeReplicate replicate;
    private StageImageHandler handler;
    private TestUser user;
    private UUID project;
    private final byte[] photo = TestImages.jpeg(320, 240);

    @BeforeEach
    void setUp() throws Exception {
        aws = new FakeAws();
        replicate = new FakeReplicate();
        replicate.output = TestImages.jpeg(160, 120);
        // Wired from configuration exactly as the deployed function is.
        handler = new StageImageHandler(TestSettings.of(db, aws, replicate, Map.of(
                "MODEL_SECRETS_KEY", "stage-image-it-model-secrets-key-0123456789",
                "STAGE_MAX_RECEIVES", "5")));
        user = db.createUser();
        project = db.createProject(user.id(), "12 Harbour View Road");
    }

    @AfterEach
    void tearDown() {
        aws.close();
        replicate.close();
    }

    // ---- fixtures adapted to this test's rows ----

    private TestDatabase.Upload awaitingUpload(byte[] stored, long declaredSize, String... styles) {
        TestDatabase.Upload upload = db.createUpload(user.id(), project, "living room.jpg", "image/jpeg", declaredSize,
                "living_room", List.of(styles));
        if (stored != null) aws.put(BUCKET, upload.original().s3Key(), stored, "image/jpeg");
        return upload;
    }

    /** An upload already verified, its images queued: what a stage message finds. */
    private TestDatabase.Upload queued(String... styles) {
        TestDatabase.Upload upload = awaitingUpload(photo, photo.length, styles);
        db.withConnection(c -> {
            OriginalRepository.markUploaded(c, upload.original().id(), 320, 240);
            return ImageRepository.queueAwaiting(c, upload.original().id());
        });
        return upload;
    }

    private static String formEncoded(String key) {
        return Arrays.stream(key.split("/")).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8))
                .collect(Collectors.joining("/"));
    }

    private static void setBody(SQSEvent.SQSMessage message, String body) {
        message.setBody(body);
        message.setMd5OfBody(FakeAws.md5(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static void setReceiveCount(SQSEvent.SQSMessage message, int count) {
        Map<String, String> attributes = new HashMap<>(message.getAttributes());
        attributes.put("ApproximateReceiveCount", String.valueOf(count));
        message.setAttributes(attributes);
    }

    /** The S3 ObjectCreated fixture naming this original's key (form-encoded, as S3 sends it) and a size. */
    private SQSEvent.SQSMessage uploadMessage(Original original, long size) {
        SQSEvent.SQSMessage message = Events.sqs("sqs/sqs_s3_object_created.json").getRecords().getFirst();
        ObjectNode notification = (ObjectNode) Json.read(message.getBody());
        ObjectNode s3 = (ObjectNode) notification.path("Records").get(0).path("s3");
        ((ObjectNode) s3.path("bucket")).put("name", BUCKET).put("arn", "arn:aws:s3:::" + BUCKET);
        ((ObjectNode) s3.path("object")).put("key", formEncoded(original.s3Key())).put("size", size);
        setBody(message, Json.write(notification));
        message.setMessageId(UUID.randomUUID().toString());
        return message;
    }

    private SQSEvent.SQSMessage stageMessage(UUID imageId, int receiveCount) {
        SQSEvent.SQSMessage message = Events.sqs("sqs/sqs_stage_image.json").getRecords().getFirst();
        setBody(message, message.getBody().replace("c4a1e2f3-5b6c-4d7e-8f90-a1b2c3d4e5f6", imageId.toString()));
        setReceiveCount(message, receiveCount);
        message.setMessageId(UUID.randomUUID().toString());
        message.setReceiptHandle("receipt-" + message.getMessageId());
        return message;
    }

    private static SQSEvent batch(SQSEvent.SQSMessage... messages) {
        SQSEvent event = new SQSEvent();
        event.setRecords(new ArrayList<>(List.of(messages)));
        return event;
    }

    private SQSBatchResponse invoke(SQSEvent event) {
        return handler.handleRequest(event, new TestContext("stage-image", Duration.ofMinutes(2)));
    }

    private static List<String> failed(SQSBatchResponse response) {
        return response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
    }

    private Image image(UUID id) {
        return db.withConnection(c -> ImageRepository.find(c, id)).orElseThrow();
    }

    private Original original(UUID id) {
        return db.withConnection(c -> OriginalRepository.find(c, id)).orElseThrow();
    }

    private String reservation(UUID imageId) {
        return db.queryString("SELECT status FROM usage_reservations WHERE image_id = ?", imageId);
    }

    private boolean claimable(UUID imageId) {
        return db.withConnection(c -> ImageRepository.claim(c, imageId, Instant.now().plusSeconds(60))).isPresent();
    }

    // ---- upload events ----

    @Test
    void theS3TestEventIsAcknowledgedAndNothingIsTouched() {
        SQSBatchResponse response = invoke(Events.sqs("sqs/sqs_s3_test_event.json"));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(aws.requests).isEmpty();
        assertThat(replicate.creates).hasValue(0);
    }

    @Test
    void aVerifiedUploadIsMarkedUploadedAndItsImagesQueuedAndSent() {
        TestDatabase.Upload upload = awaitingUpload(photo, photo.length, "modern", "coastal");

        SQSBatchResponse response = invoke(batch(uploadMessage(upload.original(), photo.length)));

        assertThat(response.getBatchItemFailures()).isEmpty();
        Original original = original(upload.original().id());
        assertThat(original.status()).isEqualTo(OriginalStatus.UPLOADED);
        assertThat(original.width()).isEqualTo(320);
        assertThat(original.height()).isEqualTo(240);
        assertThat(upload.images()).allSatisfy(i -> assertThat(image(i.id()).status()).isEqualTo(ImageStatus.QUEUED));
        assertThat(aws.stagedImageIds()).containsExactlyInAnyOrderElementsOf(upload.images().stream().map(Image::id).toList());
        assertThat(aws.sent).allSatisfy(m -> {
            assertThat(m.queueUrl()).isEqualTo(aws.queueUrl());
            assertThat(Json.read(m.body()).path("type").asText()).isEqualTo("stage");
        });
    }

    @Test
    void aKeyWithASpaceArrivesFormEncodedAndIsFound() {
        TestDatabase.Upload upload = awaitingUpload(photo, photo.length, "modern");
        String spaced = upload.original().s3Key().replace("living_room.jpg", "living room.jpg");
        db.update("UPDATE originals SET s3_key = ? WHERE id = ?", spaced, upload.original().id());
        aws.put(BUCKET, spaced, photo, "image/jpeg");
        Original renamed = original(upload.original().id());

        SQSEvent.SQSMessage message = uploadMessage(renamed, photo.length);
        assertThat(message.getBody()).contains("living+room.jpg");

        assertThat(invoke(batch(message)).getBatchItemFailures()).isEmpty();
        assertThat(original(upload.original().id()).status()).isEqualTo(OriginalStatus.UPLOADED);
    }

    @Test
    void bytesThatAreNotTheDeclaredTypeRejectTheUploadFailItsImagesAndReleaseTheirQuota() {
        byte[] png = TestImages.png(64, 64);
        TestDatabase.Upload upload = awaitingUpload(png, png.length, "modern", "luxury");

        SQSBatchResponse response = invoke(batch(uploadMessage(upload.original(), png.length)));

        assertThat(response.getBatchItemFailures()).isEmpty();
        Original original = original(upload.original().id());
        assertThat(original.status()).isEqualTo(OriginalStatus.REJECTED);
        assertThat(original.rejectCode()).isEqualTo("type_mismatch");
        assertThat(original.rejectReason()).contains("PNG").contains("image/jpeg");
        for (Image i : upload.images()) {
            Image failed = image(i.id());
            assertThat(failed.status()).isEqualTo(ImageStatus.FAILED);
            assertThat(failed.errorCode()).isEqualTo("upload_rejected");
            assertThat(failed.errorMessage()).isEqualTo(original.rejectReason());
            assertThat(reservation(i.id())).isEqualTo("released");
        }
        assertThat(aws.sent).isEmpty();
        assertThat(replicate.creates).hasValue(0);
    }

    @Test
    void aSizeOtherThanDeclaredIsRejectedWithoutReadingTheObject() {
        TestDatabase.Upload upload = awaitingUpload(photo, photo.length, "modern");

        invoke(batch(uploadMessage(upload.original(), photo.length + 10L)));

        Original original = original(upload.original().id());
        assertThat(original.status()).isEqualTo(OriginalStatus.REJECTED);
        assertThat(original.rejectCode()).isEqualTo("size_mismatch");
        assertThat(aws.requests("S3 GET")).isEmpty();
        assertThat(reservation(upload.image().id())).isEqualTo("released");
    }

    @Test
    void aTruncatedPhotoIsRejected() {
        byte[] truncated = Arrays.copyOf(photo, photo.length / 2);
        TestDatabase.Upload upload = awaitingUpload(truncated, truncated.length, "modern");

        invoke(batch(uploadMessage(upload.original(), truncated.length)));

        assertThat(original(upload.original().id()).rejectCode()).isEqualTo("undecodable");
        assertThat(image(upload.image().id()).status()).isEqualTo(ImageStatus.FAILED);
    }

    @Test
    void aRedeliveredUploadEventDoesNotVerifyAgainButResendsQueuedImages() {
        TestDatabase.Upload upload = awaitingUpload(photo, photo.length, "modern");
        SQSEvent.SQSMessage message = uploadMessage(upload.original(), photo.length);

        invoke(batch(message));
        invoke(batch(message));

        assertThat(aws.requests("S3 GET")).hasSize(1);
        assertThat(aws.stagedImageIds()).containsExactly(upload.image().id(), upload.image().id());
        assertThat(original(upload.original().id()).status()).isEqualTo(OriginalStatus.UPLOADED);
    }

    @Test
    void anObjectNoOriginalExpectsIsDeleted() {
        UUID stray = UUID.randomUUID();
        String key = "uploads/" + user.id() + "/" + stray + "/dropped.jpg";
        aws.put(BUCKET, key, photo, "image/jpeg");
        Original ghost = new Original(stray, project, user.id(), "dropped.jpg", "image/jpeg", photo.length, key,
                OriginalStatus.AWAITING_UPLOAD, null, null, null, null, Instant.now(), null, null);

        SQSBatchResponse response = invoke(batch(uploadMessage(ghost, photo.length)));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(aws.object(BUCKET, key)).isEmpty();
    }

    @Test
    void aStorageFailureWhileVerifyingRetriesTheMessageAndKeepsTheUploadWaiting() {
        TestDatabase.Upload upload = awaitingUpload(photo, photo.length, "modern");
        aws.failReadsOf(BUCKET, upload.original().s3Key());
        SQSEvent.SQSMessage message = uploadMessage(upload.original(), photo.length);

        SQSBatchResponse response = invoke(batch(message));

        assertThat(failed(response)).containsExactly(message.getMessageId());
        assertThat(original(upload.original().id()).status()).isEqualTo(OriginalStatus.AWAITING_UPLOAD);
        assertThat(reservation(upload.image().id())).isEqualTo("reserved");
        assertThat(aws.visibility).extracting(FakeAws.VisibilityChange::receiptHandle).containsExactly(message.getReceiptHandle());
    }

    // ---- stage messages ----

    @Test
    void aStageMessageMakesTheImageReadyWithTheStagedFileInOurBucket() {
        db.update("UPDATE users SET preferences = '{\"disclosure_label\": false}'::jsonb WHERE id = ?", user.id());
        TestDatabase.Upload upload = queued("scandinavian");
        UUID imageId = upload.image().id();

        SQSBatchResponse response = invoke(batch(stageMessage(imageId, 1)));

        assertThat(response.getBatchItemFailures()).isEmpty();
        Image ready = image(imageId);
        assertThat(ready.status()).isEqualTo(ImageStatus.READY);
        assertThat(ready.stagedKey()).isEqualTo("staged/" + user.id() + "/" + imageId + ".jpg");
        assertThat(ready.stagedContentType()).isEqualTo("image/jpeg");
        assertThat(ready.model()).isEqualTo("qwen-image-edit");
        assertThat(ready.predictionId()).isEqualTo("pred1xyz");
        assertThat(ready.costUsd()).isEqualByComparingTo("0.03");
        assertThat(ready.modelMs()).isEqualTo(1250);
        FakeAws.StoredObject staged = aws.object(BUCKET, ready.stagedKey()).orElseThrow();
        assertThat(staged.contentType()).isEqualTo("image/jpeg");
        assertThat(staged.bytes()).isEqualTo(replicate.output);
        assertThat(reservation(imageId)).isEqualTo("consumed");
        assertThat(replicate.creates).hasValue(1);
    }

    @Test
    void byDefaultTheStagedFileCarriesTheVirtuallyStagedLabelInTheModelsFormat() throws Exception {
        replicate.output = TestImages.png(400, 300);
        TestDatabase.Upload upload = queued("modern");

        invoke(batch(stageMessage(upload.image().id(), 1)));

        Image ready = image(upload.image().id());
        assertThat(ready.status()).isEqualTo(ImageStatus.READY);
        assertThat(ready.stagedKey()).endsWith(".png");
        byte[] staged = aws.object(BUCKET, ready.stagedKey()).orElseThrow().bytes();
        assertThat(staged).isNotEqualTo(replicate.output);
        java.awt.image.BufferedImage before = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(replicate.output));
        java.awt.image.BufferedImage after = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(staged));
        var label = ai.realstaging.common.staging.DisclosureLabel.placement(400, 300);
        int inside = 0;
        for (int y = 0; y < 300; y++) {
            for (int x = 0; x < 400; x++) {
                boolean in = x >= label.x() && x < label.x() + label.width() && y >= label.y() && y < label.y() + label.height();
                if (before.getRGB(x, y) != after.getRGB(x, y)) {
                    assertThat(in).as("changed outside the label at %d,%d", x, y).isTrue();
                    inside++;
                }
            }
        }
        assertThat(inside).isGreaterThan(label.width() * label.height() / 2);
    }

    @Test
    void anOwnerWhoTurnedTheLabelOffGetsTheModelsBytesUnchanged() {
        db.update("UPDATE users SET preferences = '{\"disclosure_label\": false, \"default_style\": \"modern\"}'::jsonb WHERE id = ?",
                user.id());
        TestDatabase.Upload upload = queued("modern");

        invoke(batch(stageMessage(upload.image().id(), 1)));

        Image ready = image(upload.image().id());
        assertThat(aws.object(BUCKET, ready.stagedKey()).orElseThrow().bytes()).isEqualTo(replicate.output);
    }

    @Test
    void theModelGetsAPresignedUrlOfTheOriginalAndAGuardedPrompt() {
        TestDatabase.Upload upload = queued("industrial");

        invoke(batch(stageMessage(upload.image().id(), 1)));

        JsonNode input = replicate.createBodies.getFirst().path("input");
        assertThat(input.path("image").asText()).startsWith(aws.endpoint() + "/" + BUCKET + "/uploads/")
                .contains(upload.original().id().toString()).contains("X-Amz-Signature=");
        assertThat(input.path("prompt").asText()).contains("industrial").contains("living room").contains(Prompts.compose(
                "living_room", "industrial", "stage", null));
        Map<String, String> headers = replicate.createHeaders.getFirst();
        assertThat(headers.get("authorization")).isEqualTo("Bearer r8_test_token");
        assertThat(headers.get("prefer")).isEqualTo("wait=1");
        assertThat(headers.get("cancel-after")).endsWith("s");
    }

    @Test
    void theStagedContentTypeComesFromTheBytesNotFromAnAssumption() {
        replicate.output = TestImages.png(40, 30);
        TestDatabase.Upload upload = queued("modern");

        invoke(batch(stageMessage(upload.image().id(), 1)));

        Image ready = image(upload.image().id());
        assertThat(ready.stagedKey()).endsWith(".png");
        assertThat(ready.stagedContentType()).isEqualTo("image/png");
        assertThat(aws.object(BUCKET, ready.stagedKey()).orElseThrow().contentType()).isEqualTo("image/png");
    }

    @Test
    void anOutputThatIsNoImageFailsTheImageAndReleasesItsQuota() {
        replicate.output = "<html>error</html>".getBytes(StandardCharsets.UTF_8);
        TestDatabase.Upload upload = queued("modern");

        assertThat(invoke(batch(stageMessage(upload.image().id(), 1))).getBatchItemFailures()).isEmpty();

        assertThat(image(upload.image().id()).errorCode()).isEqualTo("model_bad_output");
        assertThat(reservation(upload.image().id())).isEqualTo("released");
    }

    @Test
    void aModelThatPollsBeforeFinishingIsFollowedToTheEnd() {
        replicate.script = new FakeReplicate.Script(201, 3, "succeeded");
        TestDatabase.Upload upload = queued("modern");

        invoke(batch(stageMessage(upload.image().id(), 1)));

        assertThat(image(upload.image().id()).status()).isEqualTo(ImageStatus.READY);
        assertThat(replicate.gets.get()).isGreaterThanOrEqualTo(3);
        assertThat(replicate.creates).hasValue(1);
    }

    @Test
    void aFailedPredictionFailsTheImageReleasesItsQuotaAndIsAcknowledged() {
        replicate.script = new FakeReplicate.Script(201, 0, "failed");
        TestDatabase.Upload upload = queued("modern");

        SQSBatchResponse response = invoke(batch(stageMessage(upload.image().id(), 1)));

        assertThat(response.getBatchItemFailures()).isEmpty();
        Image failed = image(upload.image().id());
        assertThat(failed.status()).isEqualTo(ImageStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("model_failed");
        assertThat(failed.errorMessage()).contains("Retry");
        assertThat(reservation(upload.image().id())).isEqualTo("released");
        assertThat(aws.visibility).isEmpty();
    }

    @Test
    void aRefusedInputIsPermanent() {
        replicate.script = new FakeReplicate.Script(422, 0, "succeeded");
        TestDatabase.Upload upload = queued("modern");

        SQSBatchResponse response = invoke(batch(stageMessage(upload.image().id(), 1)));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(image(upload.image().id()).errorCode()).isEqualTo("model_rejected");
        assertThat(reservation(upload.image().id())).isEqualTo("released");
    }

    @Test
    void aReplicateServerErrorRetriesTheMessageAndLeavesTheImageClaimable() {
        replicate.script = new FakeReplicate.Script(500, 0, "succeeded");
        TestDatabase.Upload upload = queued("modern");
        SQSEvent.SQSMessage message = stageMessage(upload.image().id(), 1);

        SQSBatchResponse response = invoke(batch(message));

        assertThat(failed(response)).containsExactly(message.getMessageId());
        assertThat(aws.visibility).containsExactly(new FakeAws.VisibilityChange(aws.queueUrl(), message.getReceiptHandle(), 5));
        Image image = image(upload.image().id());
        assertThat(image.status()).isEqualTo(ImageStatus.PROCESSING);
        assertThat(image.predictionId()).isNull();
        assertThat(reservation(upload.image().id())).isEqualTo("reserved");
        assertThat(claimable(upload.image().id())).as("claimable by the redelivery").isTrue();
    }

    @Test
    void rateLimitingRetriesAfterTheWaitReplicateAsksFor() {
        replicate.script = new FakeReplicate.Script(429, 0, "succeeded");
        TestDatabase.Upload upload = queued("modern");
        SQSEvent.SQSMessage message = stageMessage(upload.image().id(), 2);

        SQSBatchResponse response = invoke(batch(message));

        assertThat(failed(response)).containsExactly(message.getMessageId());
        assertThat(aws.visibility).extracting(FakeAws.VisibilityChange::seconds).containsExactly(10);
    }

    @Test
    void theLastDeliveryOfATransientFailureFailsTheImageInsteadOfRetrying() {
        replicate.script = new FakeReplicate.Script(500, 0, "succeeded");
        TestDatabase.Upload upload = queued("modern");

        SQSBatchResponse response = invoke(batch(stageMessage(upload.image().id(), 5)));

        assertThat(response.getBatchItemFailures()).isEmpty();
        Image failed = image(upload.image().id());
        assertThat(failed.status()).isEqualTo(ImageStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("staging_unavailable");
        assertThat(reservation(upload.image().id())).isEqualTo("released");
        assertThat(aws.visibility).isEmpty();
    }

    @Test
    void aDuplicateMessageWhileAnotherDeliveryHoldsTheLeaseWaitsForTheLeaseWithoutASecondPrediction() {
        TestDatabase.Upload upload = queued("modern");
        assertThat(db.<java.util.Optional<Image>>withConnection(c -> ImageRepository.claim(c, upload.image().id(), Instant.now().plusSeconds(300))))
                .isPresent();
        SQSEvent.SQSMessage duplicate = stageMessage(upload.image().id(), 1);

        SQSBatchResponse response = invoke(batch(duplicate));

        // Not dropped: the holder may die without releasing, and then this message takes over.
        assertThat(failed(response)).containsExactly(duplicate.getMessageId());
        assertThat(aws.visibility).extracting(FakeAws.VisibilityChange::seconds).singleElement()
                .satisfies(seconds -> assertThat(seconds).isBetween(295, 301));
        assertThat(replicate.creates).hasValue(0);
        assertThat(image(upload.image().id()).status()).isEqualTo(ImageStatus.PROCESSING);
        assertThat(image(upload.image().id()).attempts()).isEqualTo(1);
    }

    @Test
    void aFinishedImageIsNotStagedAgain() {
        TestDatabase.Upload upload = queued("modern");
        invoke(batch(stageMessage(upload.image().id(), 1)));

        SQSBatchResponse again = invoke(batch(stageMessage(upload.image().id(), 2)));

        assertThat(again.getBatchItemFailures()).isEmpty();
        assertThat(replicate.creates).hasValue(1);
        assertThat(image(upload.image().id()).status()).isEqualTo(ImageStatus.READY);
    }

    @Test
    void aRedeliveryWithARecordedPredictionResumesItInsteadOfPayingAgain() {
        TestDatabase.Upload upload = queued("modern");
        UUID id = upload.image().id();
        db.withConnection(c -> {
            ImageRepository.claim(c, id, Instant.now().minusSeconds(1));
            ImageRepository.recordPrediction(c, id, "qwen-image-edit", "predEarlier");
            return null;
        });
        replicate.existing("predEarlier", 2, "succeeded");

        SQSBatchResponse response = invoke(batch(stageMessage(id, 2)));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(replicate.creates).hasValue(0);
        assertThat(replicate.gets.get()).isGreaterThanOrEqualTo(3);
        Image ready = image(id);
        assertThat(ready.status()).isEqualTo(ImageStatus.READY);
        assertThat(ready.predictionId()).isEqualTo("predEarlier");
        assertThat(reservation(id)).isEqualTo("consumed");
    }

    @Test
    void aModelStillRunningAtTheEndOfTheInvocationIsResumedByTheRedelivery() {
        replicate.script = new FakeReplicate.Script(201, 1_000_000, "succeeded");
        TestDatabase.Upload upload = queued("modern");
        UUID id = upload.image().id();
        SQSEvent.SQSMessage first = stageMessage(id, 1);

        // 20.5 s left: the create may wait one second, and the function keeps 20 s to finish.
        SQSBatchResponse cut = handler.handleRequest(batch(first), new TestContext("stage-image", Duration.ofMillis(20_500)));

        assertThat(failed(cut)).containsExactly(first.getMessageId());
        assertThat(replicate.createHeaders.getFirst().get("prefer")).isEqualTo("wait=1");
        String prediction = image(id).predictionId();
        assertThat(prediction).isEqualTo("pred1xyz");
        replicate.existing(prediction, 0, "succeeded");

        SQSBatchResponse resumed = invoke(batch(stageMessage(id, 2)));

        assertThat(resumed.getBatchItemFailures()).isEmpty();
        assertThat(image(id).status()).isEqualTo(ImageStatus.READY);
        assertThat(replicate.creates).hasValue(1);
    }

    @Test
    void aModelStillRunningOnTheLastDeliveryIsHandedToAFreshMessageInsteadOfTheDeadLetterQueue() {
        replicate.script = new FakeReplicate.Script(201, 1_000_000, "succeeded");
        TestDatabase.Upload upload = queued("modern");
        UUID id = upload.image().id();
        SQSEvent.SQSMessage last = stageMessage(id, 5);

        SQSBatchResponse cut = handler.handleRequest(batch(last), new TestContext("stage-image", Duration.ofMillis(20_500)));

        assertThat(cut.getBatchItemFailures()).isEmpty();
        assertThat(aws.stagedImageIds()).containsExactly(id);
        assertThat(image(id).status()).isEqualTo(ImageStatus.PROCESSING);
        assertThat(image(id).predictionId()).isEqualTo("pred1xyz");
    }

    // ---- a create whose answer was lost ----

    private long attempts(UUID imageId) {
        return db.queryLong("SELECT count(*) FROM prediction_attempts WHERE image_id = ?", imageId);
    }

    @Test
    void aLostCreateAnswerIsFoundByTheMarkerInItsPhotoUrlAndResumedWithoutASecondCreate() {
        replicate.script = new FakeReplicate.Script(FakeReplicate.DROP, 0, "succeeded");
        TestDatabase.Upload upload = queued("modern");
        UUID id = upload.image().id();
        SQSEvent.SQSMessage first = stageMessage(id, 1);

        assertThat(failed(invoke(batch(first)))).containsExactly(first.getMessageId());
        assertThat(image(id).predictionId()).isNull();
        assertThat(attempts(id)).isEqualTo(1);
        String marker = db.queryString("SELECT marker::text FROM prediction_attempts WHERE image_id = ?", id);
        assertThat(replicate.createBodies.getFirst().path("input").path("image").asText())
                .contains("x-realstaging-attempt=" + marker);
        replicate.script = new FakeReplicate.Script(201, 0, "succeeded");

        SQSBatchResponse second = invoke(batch(stageMessage(id, 2)));

        assertThat(second.getBatchItemFailures()).isEmpty();
        assertThat(replicate.creates).hasValue(1);
        assertThat(replicate.lists).hasValue(1);
        Image ready = image(id);
        assertThat(ready.status()).isEqualTo(ImageStatus.READY);
        assertThat(ready.predictionId()).isEqualTo("pred1xyz");
        assertThat(reservation(id)).isEqualTo("consumed");
        assertThat(attempts(id)).isZero();
    }

    @Test
    void aLostCreateWhosePredictionDefinitivelyFailedIsTheOneCaseOfASecondCreate() {
        replicate.script = new FakeReplicate.Script(FakeReplicate.DROP, 0, "failed");
        TestDatabase.Upload upload = queued("modern");
        UUID id = upload.image().id();
        invoke(batch(stageMessage(id, 1)));
        replicate.existing("pred1xyz", 0, "failed");
        replicate.script = new FakeReplicate.Script(201, 0, "succeeded");

        assertThat(invoke(batch(stageMessage(id, 2))).getBatchItemFailures()).isEmpty();

        assertThat(replicate.creates).hasValue(2);
        assertThat(image(id).status()).isEqualTo(ImageStatus.READY);
        assertThat(image(id).predictionId()).isEqualTo("pred2xyz");
    }

    @Test
    void aLostCreateThatMadeNothingIsCreatedAgainOnlyOnceNoAnswerCanStillBeInFlight() {
        replicate.script = new FakeReplicate.Script(FakeReplicate.DROP_BEFORE_CREATE, 0, "succeeded");
        TestDatabase.Upload upload = queued("modern");
        UUID id = upload.image().id();
        invoke(batch(stageMessage(id, 1)));
        replicate.script = new FakeReplicate.Script(201, 0, "succeeded");
        aws.visibility.clear();

        SQSEvent.SQSMessage early = stageMessage(id, 2);
        assertThat(failed(invoke(batch(early)))).containsExactly(early.getMessageId());

        assertThat(replicate.creates).as("only the lost one").hasValue(1);
        assertThat(aws.visibility).extracting(FakeAws.VisibilityChange::seconds).singleElement()
                .satisfies(seconds -> assertThat(seconds).isBetween(25, 32));
        db.update("UPDATE prediction_attempts SET settle_until = now() - interval '1 second' WHERE image_id = ?", id);

        assertThat(invoke(batch(stageMessage(id, 3))).getBatchItemFailures()).isEmpty();

        assertThat(replicate.creates).hasValue(2);
        assertThat(image(id).status()).isEqualTo(ImageStatus.READY);
    }

    @Test
    void aServerErrorAnswerIsLookedForOnceThenCreatedAgainWithoutWaiting() {
        replicate.script = new FakeReplicate.Script(502, 0, "succeeded");
        TestDatabase.Upload upload = queued("modern");
        UUID id = upload.image().id();
        invoke(batch(stageMessage(id, 1)));
        replicate.script = new FakeReplicate.Script(201, 0, "succeeded");

        assertThat(invoke(batch(stageMessage(id, 2))).getBatchItemFailures()).isEmpty();

        assertThat(replicate.lists).hasValue(1);
        assertThat(replicate.creates).hasValue(2);
        assertThat(image(id).status()).isEqualTo(ImageStatus.READY);
    }

    @Test
    void aRefusedCreateLeavesNothingToLookFor() {
        replicate.script = new FakeReplicate.Script(429, 0, "succeeded");
        TestDatabase.Upload upload = queued("modern");
        UUID id = upload.image().id();
        invoke(batch(stageMessage(id, 1)));
        assertThat(attempts(id)).isZero();
        replicate.script = new FakeReplicate.Script(201, 0, "succeeded");

        assertThat(invoke(batch(stageMessage(id, 2))).getBatchItemFailures()).isEmpty();

        assertThat(replicate.lists).hasValue(0);
        assertThat(image(id).status()).isEqualTo(ImageStatus.READY);
    }

    // ---- whole flow and batches ----

    @Test
    void anUploadedPhotoIsStagedInEveryStyleFromTheMessagesTheUploadSent() {
        TestDatabase.Upload upload = awaitingUpload(photo, photo.length, "modern", "coastal", "japandi");
        invoke(batch(uploadMessage(upload.original(), photo.length)));

        SQSEvent.SQSMessage[] stageMessages = aws.sent.stream().map(sent -> {
            SQSEvent.SQSMessage m = stageMessage(UUID.randomUUID(), 1);
            setBody(m, sent.body());
            return m;
        }).toArray(SQSEvent.SQSMessage[]::new);
        SQSBatchResponse response = invoke(batch(stageMessages));

        assertThat(response.getBatchItemFailures()).isEmpty();
        for (Image i : upload.images()) {
            Image ready = image(i.id());
            assertThat(ready.status()).isEqualTo(ImageStatus.READY);
            assertThat(aws.object(BUCKET, ready.stagedKey())).isPresent();
        }
        assertThat(replicate.creates).hasValue(3);
        assertThat(db.queryLong("SELECT count(*) FROM usage_reservations WHERE user_id = ? AND status = 'consumed'",
                user.id())).isEqualTo(3);
    }

    @Test
    void inABatchOnlyTheMessagesThatShouldBeRetriedAreReported() {
        TestDatabase.Upload ok = queued("modern");
        TestDatabase.Upload unreadable = awaitingUpload(photo, photo.length, "coastal");
        aws.failReadsOf(BUCKET, unreadable.original().s3Key());
        SQSEvent.SQSMessage stage = stageMessage(ok.image().id(), 1);
        SQSEvent.SQSMessage upload = uploadMessage(unreadable.original(), photo.length);
        SQSEvent.SQSMessage test = Events.sqs("sqs/sqs_s3_test_event.json").getRecords().getFirst();
        SQSEvent.SQSMessage garbage = stageMessage(UUID.randomUUID(), 1);
        setBody(garbage, "{\"type\":\"stage\",\"image_id\":\"not-a-uuid\"}");

        SQSBatchResponse response = invoke(batch(test, stage, upload, garbage));

        assertThat(failed(response)).containsExactly(upload.getMessageId());
        assertThat(image(ok.image().id()).status()).isEqualTo(ImageStatus.READY);
    }
}
