// integration: real PostgreSQL (DATABASE_URL or embedded); the image state machine and its claim
package ai.realstaging.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.ImageStatus;
import ai.realstaging.common.testing.Concurrently;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.common.testing.TestDatabase.TestUser;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ImageRepositoryIT {
    private final TestDatabase db = TestDatabase.shared();
    private TestUser user;
    private TestDatabase.Upload upload;

    @BeforeEach
    void setUp() {
        user = db.createUser();
        UUID project = db.createProject(user.id(), "Images");
        upload = db.createUpload(user.id(), project, "room.jpg", "image/jpeg", 1000, "bedroom", List.of("modern", "coastal"));
    }

    private UUID queued() {
        db.withConnection(c -> ImageRepository.queueAwaiting(c, upload.original().id()));
        return upload.image().id();
    }

    private Optional<Image> claim(UUID id, Duration lease) {
        return db.withConnection(c -> ImageRepository.claim(c, id, Instant.now().plus(lease)));
    }

    private Image find(UUID id) {
        return db.withConnection(c -> ImageRepository.find(c, id)).orElseThrow();
    }

    @Test
    void queueingMovesOnlyAwaitingImagesAndOnlyOnce() {
        List<Image> first = db.withConnection(c -> ImageRepository.queueAwaiting(c, upload.original().id()));
        List<Image> second = db.withConnection(c -> ImageRepository.queueAwaiting(c, upload.original().id()));

        assertThat(first).hasSize(2).allSatisfy(i -> assertThat(i.status()).isEqualTo(ImageStatus.QUEUED));
        assertThat(second).isEmpty();
        assertThat(db.<List<Image>>withConnection(c -> ImageRepository.listQueued(c, upload.original().id()))).hasSize(2);
    }

    @Test
    void anImageAwaitingItsUploadCannotBeClaimed() {
        assertThat(claim(upload.image().id(), Duration.ofMinutes(5))).isEmpty();
    }

    @Test
    void tenWorkersRacingForOneImageProduceOneClaim() {
        UUID id = queued();

        List<Concurrently.Outcome<Optional<Image>>> outcomes = Concurrently.run(10, i -> {
            try (Connection c = db.connect()) {
                return ImageRepository.claim(c, id, Instant.now().plus(Duration.ofMinutes(5)));
            }
        });

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isNull());
        assertThat(outcomes.stream().filter(o -> o.value().isPresent())).hasSize(1);
        Image claimed = find(id);
        assertThat(claimed.status()).isEqualTo(ImageStatus.PROCESSING);
        assertThat(claimed.attempts()).isEqualTo(1);
        assertThat(claimed.leaseUntil()).isAfter(Instant.now());
    }

    @Test
    void aHeldLeaseIsNotTakenOver() {
        UUID id = queued();
        assertThat(claim(id, Duration.ofMinutes(5))).isPresent();

        assertThat(claim(id, Duration.ofMinutes(5))).isEmpty();
    }

    @Test
    void anExpiredLeaseIsTakenOverWithTheRecordedPrediction() {
        UUID id = queued();
        assertThat(claim(id, Duration.ofSeconds(-1))).isPresent();
        db.withConnection(c -> {
            ImageRepository.recordPrediction(c, id, "qwen-image-edit", "pred-123");
            return null;
        });

        Optional<Image> takeover = claim(id, Duration.ofMinutes(5));

        assertThat(takeover).isPresent();
        assertThat(takeover.get().predictionId()).isEqualTo("pred-123");
        assertThat(takeover.get().model()).isEqualTo("qwen-image-edit");
        assertThat(takeover.get().attempts()).isEqualTo(2);
    }

    @Test
    void aReleasedLeaseCanBeClaimedAgainAtOnce() {
        UUID id = queued();
        assertThat(claim(id, Duration.ofMinutes(5))).isPresent();

        db.withConnection(c -> {
            ImageRepository.releaseLease(c, id);
            return null;
        });

        assertThat(claim(id, Duration.ofMinutes(5))).isPresent();
    }

    @Test
    void markReadyOnlyFinishesAnImageBeingProcessed() {
        UUID id = queued();
        assertThat(db.<Optional<Image>>withConnection(c -> ImageRepository.markReady(c, id, "staged/x.jpg", "image/jpeg",
                new BigDecimal("0.03"), 2000, 2500))).as("not claimed yet").isEmpty();
        claim(id, Duration.ofMinutes(5));

        Optional<Image> ready = db.withConnection(c -> ImageRepository.markReady(c, id, "staged/x.jpg", "image/jpeg",
                new BigDecimal("0.03"), 2000, 2500));
        Optional<Image> again = db.withConnection(c -> ImageRepository.markReady(c, id, "staged/y.jpg", "image/png",
                BigDecimal.ONE, 1, 1));

        assertThat(ready).isPresent();
        assertThat(again).isEmpty();
        Image image = find(id);
        assertThat(image.status()).isEqualTo(ImageStatus.READY);
        assertThat(image.stagedKey()).isEqualTo("staged/x.jpg");
        assertThat(image.stagedContentType()).isEqualTo("image/jpeg");
        assertThat(image.costUsd()).isEqualByComparingTo("0.03");
        assertThat(image.modelMs()).isEqualTo(2000);
        assertThat(image.leaseUntil()).isNull();
    }

    @Test
    void markFailedFailsUnfinishedImagesButNeverAReadyOne() {
        UUID awaiting = upload.images().get(1).id();
        assertThat(db.<Optional<Image>>withConnection(c -> ImageRepository.markFailed(c, awaiting, "upload_rejected", "bad file"))).isPresent();

        UUID id = queued();
        claim(id, Duration.ofMinutes(5));
        db.withConnection(c -> ImageRepository.markReady(c, id, "staged/x.jpg", "image/jpeg", null, null, 1));

        assertThat(db.<Optional<Image>>withConnection(c -> ImageRepository.markFailed(c, id, "model_failed", "late failure"))).isEmpty();
        assertThat(find(id).status()).isEqualTo(ImageStatus.READY);
        Image failed = find(awaiting);
        assertThat(failed.status()).isEqualTo(ImageStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("upload_rejected");
        assertThat(failed.errorMessage()).isEqualTo("bad file");
    }

    @Test
    void aFailedImageIsNotFailedTwice() {
        UUID id = upload.image().id();
        assertThat(db.<Optional<Image>>withConnection(c -> ImageRepository.markFailed(c, id, "a", "first"))).isPresent();

        assertThat(db.<Optional<Image>>withConnection(c -> ImageRepository.markFailed(c, id, "b", "second"))).isEmpty();
        assertThat(find(id).errorCode()).isEqualTo("a");
    }

    @Test
    void ownersSeeTheirImagesAndNobodyElseDoes() {
        UUID id = upload.image().id();
        TestUser stranger = db.createUser();

        assertThat(db.<Optional<Image>>withConnection(c -> ImageRepository.findOwned(c, id, user.id()))).isPresent();
        assertThat(db.<Optional<Image>>withConnection(c -> ImageRepository.findOwned(c, id, stranger.id()))).isEmpty();
    }

    @Test
    void imagesOfManyOriginalsComeInOneQueryInCreationOrder() {
        UUID project = db.createProject(user.id(), "Many");
        TestDatabase.Upload a = db.createUpload(user.id(), project, "a.jpg", "image/jpeg", 10, "office", List.of("modern", "luxury"));
        TestDatabase.Upload b = db.createUpload(user.id(), project, "b.jpg", "image/jpeg", 10, "office", List.of("japandi"));

        List<Image> images = db.withConnection(c -> ImageRepository.listByOriginals(c,
                List.of(a.original().id(), b.original().id())));

        assertThat(images).extracting(Image::style).containsExactlyInAnyOrder("modern", "luxury", "japandi");
        assertThat(db.<List<Image>>withConnection(c -> ImageRepository.listByOriginals(c, List.of()))).isEmpty();
    }
}
