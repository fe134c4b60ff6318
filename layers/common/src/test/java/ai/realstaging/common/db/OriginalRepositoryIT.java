// integration: real PostgreSQL (DATABASE_URL or embedded); an upload's state transitions
package ai.realstaging.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.model.Original;
import ai.realstaging.common.model.OriginalStatus;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.common.testing.TestDatabase.TestUser;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OriginalRepositoryIT {
    private final TestDatabase db = TestDatabase.shared();
    private TestUser user;
    private UUID project;
    private Original original;

    @BeforeEach
    void setUp() {
        user = db.createUser();
        project = db.createProject(user.id(), "Originals");
        original = db.createUpload(user.id(), project, "Living Room.jpg", "image/jpeg", 1000, "living_room",
                List.of("modern")).original();
    }

    private Original find() {
        return db.withConnection(c -> OriginalRepository.find(c, original.id())).orElseThrow();
    }

    @Test
    void anAwaitedUploadBecomesUploadedWithItsDimensions() {
        assertThat(db.<Boolean>withConnection(c -> OriginalRepository.markUploaded(c, original.id(), 4032, 3024))).isTrue();

        Original uploaded = find();
        assertThat(uploaded.status()).isEqualTo(OriginalStatus.UPLOADED);
        assertThat(uploaded.width()).isEqualTo(4032);
        assertThat(uploaded.height()).isEqualTo(3024);
    }

    @Test
    void anUploadIsMarkedUploadedOnlyOnce() {
        assertThat(db.<Boolean>withConnection(c -> OriginalRepository.markUploaded(c, original.id(), 10, 10))).isTrue();

        assertThat(db.<Boolean>withConnection(c -> OriginalRepository.markUploaded(c, original.id(), 20, 20))).isFalse();
        assertThat(find().width()).isEqualTo(10);
    }

    @Test
    void aRejectedUploadKeepsItsReason() {
        assertThat(db.<Boolean>withConnection(c -> OriginalRepository.markRejected(c, original.id(), "type_mismatch",
                "The file is a PNG image but was declared as image/jpeg"))).isTrue();

        Original rejected = find();
        assertThat(rejected.status()).isEqualTo(OriginalStatus.REJECTED);
        assertThat(rejected.rejectCode()).isEqualTo("type_mismatch");
        assertThat(rejected.rejectReason()).contains("PNG");
    }

    @Test
    void anUploadedOriginalCannotBeRejectedAndARejectedOneCannotBeUploaded() {
        db.withConnection(c -> OriginalRepository.markUploaded(c, original.id(), 10, 10));
        assertThat(db.<Boolean>withConnection(c -> OriginalRepository.markRejected(c, original.id(), "x", "y"))).isFalse();
        assertThat(find().status()).isEqualTo(OriginalStatus.UPLOADED);

        Original other = db.createUpload(user.id(), project, "b.jpg", "image/jpeg", 5, "bedroom", List.of("modern")).original();
        db.withConnection(c -> OriginalRepository.markRejected(c, other.id(), "x", "y"));
        assertThat(db.<Boolean>withConnection(c -> OriginalRepository.markUploaded(c, other.id(), 1, 1))).isFalse();
    }

    @Test
    void theStagingPipelineFindsAnOriginalByItsKey() {
        assertThat(original.s3Key()).isEqualTo("uploads/" + user.id() + "/" + original.id() + "/Living_Room.jpg");

        assertThat(db.<java.util.Optional<Original>>withConnection(c -> OriginalRepository.findByKey(c, original.s3Key())))
                .hasValueSatisfying(o -> assertThat(o.id()).isEqualTo(original.id()));
        assertThat(db.<java.util.Optional<Original>>withConnection(c -> OriginalRepository.findByKey(c, original.s3Key() + "x"))).isEmpty();
    }

    @Test
    void onlyTheOwnerFindsAnOriginal() {
        TestUser stranger = db.createUser();

        assertThat(db.<java.util.Optional<Original>>withConnection(c -> OriginalRepository.findOwned(c, original.id(), user.id()))).isPresent();
        assertThat(db.<java.util.Optional<Original>>withConnection(c -> OriginalRepository.findOwned(c, original.id(), stranger.id()))).isEmpty();
    }

    @Test
    void originalsOfAProjectArePagedOldestFirstWithoutGapsOrRepeats() {
        UUID gallery = db.createProject(user.id(), "Gallery");
        List<UUID> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            expected.add(db.createUpload(user.id(), gallery, i + ".jpg", "image/jpeg", 5, "bedroom", List.of("modern"))
                    .original().id());
        }

        List<UUID> seen = new ArrayList<>();
        Cursor after = null;
        for (int page = 0; page < 10; page++) {
            Cursor from = after;
            List<Original> rows = db.withConnection(c -> OriginalRepository.listByProject(c, gallery, user.id(), from, 3));
            rows.forEach(o -> seen.add(o.id()));
            if (rows.size() < 3) break;
            after = new Cursor(rows.getLast().createdAt(), rows.getLast().id());
        }

        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(db.<List<Original>>withConnection(c -> OriginalRepository.listByProject(c, gallery, db.createUser().id(), null, 10))).isEmpty();
    }
}
