// integration: real PostgreSQL (DATABASE_URL or embedded); quota reserved atomically under concurrency
package ai.realstaging.common.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.realstaging.common.db.ImageRepository;
import ai.realstaging.common.db.OriginalRepository;
import ai.realstaging.common.http.ApiException;
import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.ImageStatus;
import ai.realstaging.common.model.Original;
import ai.realstaging.common.model.OriginalStatus;
import ai.realstaging.common.testing.Concurrently;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.common.testing.TestDatabase.TestUser;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class QuotaIT {
    private final TestDatabase db = TestDatabase.shared();

    /** What UploadService does in its transaction: the rows first, the reservation last. */
    private static List<UUID> requestImages(Connection c, TestUser user, UUID projectId, int count) throws SQLException {
        UUID originalId = UUID.randomUUID();
        OriginalRepository.insert(c, new Original(originalId, projectId, user.id(), "room.jpg", "image/jpeg", 1000,
                "uploads/" + user.id() + "/" + originalId + "/room.jpg", OriginalStatus.AWAITING_UPLOAD, null, null,
                null, null, Instant.now().plusSeconds(900), null, null));
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(ImageRepository.insert(c, new Image(UUID.randomUUID(), originalId, projectId, user.id(),
                    "living_room", "modern", "stage", null, null, ImageStatus.AWAITING_UPLOAD, null, null, null, null,
                    null, null, null, null, null, 0, null, null, null)).id());
        }
        Quota.reserve(c, user.id(), ids, Instant.now());
        return ids;
    }

    private long counted(TestUser user) {
        return db.queryLong("SELECT count(*) FROM usage_reservations WHERE user_id = ? AND status <> 'released'", user.id());
    }

    private Quota.Usage usage(TestUser user) {
        return db.withConnection(c -> Quota.usage(c, user.id(), Instant.now()));
    }

    @Test
    void withOneImageLeftTwentyParallelRequestsGetExactlyOne() {
        TestUser user = db.createUser();
        UUID project = db.createProject(user.id(), "Race");
        db.createUpload(user.id(), project, "a.jpg", "image/jpeg", 100, "bedroom", Collections.nCopies(9, "modern"));

        List<Concurrently.Outcome<List<UUID>>> outcomes = Concurrently.run(20, i -> {
            try (Connection c = db.connect()) {
                c.setAutoCommit(false);
                try {
                    List<UUID> ids = requestImages(c, user, project, 1);
                    c.commit();
                    return ids;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
        });

        String seen = outcomes.stream().map(o -> o.succeeded() ? "ok" : String.valueOf(o.error())).toList().toString();
        assertThat(outcomes.stream().filter(Concurrently.Outcome::succeeded)).as(seen).hasSize(1);
        assertThat(outcomes.stream().filter(o -> o.error() instanceof ApiException.QuotaExceeded)).as(seen).hasSize(19);
        assertThat(counted(user)).isEqualTo(10);
        // the refused requests left no images behind either
        assertThat(db.queryLong("SELECT count(*) FROM images WHERE user_id = ?", user.id())).isEqualTo(10);
        assertThat(usage(user).remaining()).isZero();
    }

    @Test
    void aBatchCountsEveryImage() {
        TestUser user = db.createUser();
        UUID project = db.createProject(user.id(), "Batch");

        db.withConnection(c -> requestImages(c, user, project, 3));

        Quota.Usage usage = usage(user);
        assertThat(usage.used()).isEqualTo(3);
        assertThat(usage.limit()).isEqualTo(10);
        assertThat(usage.remaining()).isEqualTo(7);
        assertThat(usage.plan()).isEqualTo("free");
    }

    @Test
    void aBatchLargerThanWhatRemainsIsRefusedWhole() {
        TestUser user = db.createUser();
        UUID project = db.createProject(user.id(), "Batch");
        db.createUpload(user.id(), project, "a.jpg", "image/jpeg", 100, "bedroom", Collections.nCopies(8, "modern"));

        assertThatThrownBy(() -> db.withConnection(c -> {
            c.setAutoCommit(false);
            try {
                return requestImages(c, user, project, 3);
            } finally {
                c.rollback();
            }
        })).isInstanceOf(ApiException.QuotaExceeded.class)
                .hasMessageContaining("needs 3 image(s) but 2 of the 10");

        assertThat(counted(user)).isEqualTo(8);
    }

    @Test
    void aBiggerPlanAllowsMore() {
        TestUser user = db.createUser();
        db.setPlan(user.id(), "pro");
        UUID project = db.createProject(user.id(), "Pro");

        db.createUpload(user.id(), project, "a.jpg", "image/jpeg", 100, "bedroom", Collections.nCopies(15, "modern"));

        assertThat(usage(user).limit()).isEqualTo(100);
        assertThat(usage(user).used()).isEqualTo(15);
    }

    @Test
    void aReleasedImageGivesItsUnitBack() {
        TestUser user = db.createUser();
        UUID project = db.createProject(user.id(), "Full");
        TestDatabase.Upload full = db.createUpload(user.id(), project, "a.jpg", "image/jpeg", 100, "bedroom",
                Collections.nCopies(10, "modern"));
        assertThat(usage(user).remaining()).isZero();

        boolean released = db.withConnection(c -> Quota.release(c, full.image().id()));

        assertThat(released).isTrue();
        assertThat(usage(user).used()).isEqualTo(9);
        db.withConnection(c -> requestImages(c, user, project, 1));
        assertThat(usage(user).used()).isEqualTo(10);
    }

    @Test
    void releasingTwiceGivesBackOnce() {
        TestUser user = db.createUser();
        UUID project = db.createProject(user.id(), "Twice");
        TestDatabase.Upload upload = db.createUpload(user.id(), project, "a.jpg", "image/jpeg", 100, "bedroom", List.of("modern"));

        assertThat(db.<Boolean>withConnection(c -> Quota.release(c, upload.image().id()))).isTrue();
        assertThat(db.<Boolean>withConnection(c -> Quota.release(c, upload.image().id()))).isFalse();
        assertThat(usage(user).used()).isZero();
    }

    @Test
    void aConsumedUnitIsNeverRefunded() {
        TestUser user = db.createUser();
        UUID project = db.createProject(user.id(), "Consumed");
        TestDatabase.Upload upload = db.createUpload(user.id(), project, "a.jpg", "image/jpeg", 100, "bedroom", List.of("modern"));

        db.withConnection(c -> {
            Quota.consume(c, upload.image().id());
            return null;
        });
        boolean released = db.withConnection(c -> Quota.release(c, upload.image().id()));

        assertThat(released).isFalse();
        assertThat(db.queryString("SELECT status FROM usage_reservations WHERE image_id = ?", upload.image().id()))
                .isEqualTo("consumed");
        assertThat(usage(user).used()).isEqualTo(1);
    }

    @Test
    void deletingAStagedImageDoesNotRefundIt() {
        TestUser user = db.createUser();
        UUID project = db.createProject(user.id(), "Deleted");
        TestDatabase.Upload upload = db.createUpload(user.id(), project, "a.jpg", "image/jpeg", 100, "bedroom", List.of("modern"));
        db.withConnection(c -> {
            Quota.consume(c, upload.image().id());
            return null;
        });

        db.update("DELETE FROM images WHERE id = ?", upload.image().id());

        assertThat(usage(user).used()).isEqualTo(1);
    }

    @Test
    void lastMonthsImagesDoNotCountThisMonth() {
        TestUser user = db.createUser();
        UUID project = db.createProject(user.id(), "Months");
        db.createUpload(user.id(), project, "a.jpg", "image/jpeg", 100, "bedroom", Collections.nCopies(10, "modern"));

        Instant nextMonth = UsagePeriod.calendarMonth(Instant.now()).end().plus(1, ChronoUnit.HOURS);
        Quota.Usage next = db.withConnection(c -> Quota.usage(c, user.id(), nextMonth));

        assertThat(next.used()).isZero();
        assertThat(next.period().start()).isEqualTo(UsagePeriod.calendarMonth(Instant.now()).end());
    }

    private void subscribe(TestUser user, String plan, String status, Instant start, Instant end) {
        db.update("""
                INSERT INTO subscriptions (id, user_id, customer_id, plan_id, price_id, status, current_period_start,
                    current_period_end, stripe_created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                "sub_" + UUID.randomUUID().toString().replace("-", ""), user.id(), "cus_" + user.id(), plan,
                "price_" + plan, status, start, end, start);
    }

    @Test
    void aLiveSubscriptionGivesItsPlansLimitCountedInItsPeriod() throws SQLException {
        TestUser user = db.createUser();
        UUID project = db.createProject(user.id(), "Paid");
        Instant start = Instant.now().minus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        subscribe(user, "pro", "past_due", start, start.plus(30, ChronoUnit.DAYS));

        db.createUpload(user.id(), project, "a.jpg", "image/jpeg", 100, "bedroom", Collections.nCopies(5, "modern"));

        Quota.Usage usage = usage(user);
        assertThat(usage.plan()).isEqualTo("pro");
        assertThat(usage.limit()).isEqualTo(100);
        assertThat(usage.used()).isEqualTo(5);
        assertThat(usage.period().start()).isEqualTo(start);
        assertThat(db.queryLong("SELECT count(*) FROM usage_reservations WHERE user_id = ? AND period_start = ?",
                user.id(), start)).isEqualTo(5);
    }

    @Test
    void anUnpaidOrEndedSubscriptionFallsBackToTheUsersOwnPlanAndTheCalendarMonth() {
        TestUser user = db.createUser();
        Instant start = Instant.now().minus(3, ChronoUnit.DAYS);
        subscribe(user, "business", "unpaid", start, start.plus(30, ChronoUnit.DAYS));
        subscribe(user, "pro", "canceled", start, start.plus(30, ChronoUnit.DAYS));

        Quota.Usage usage = usage(user);

        assertThat(usage.plan()).isEqualTo("free");
        assertThat(usage.limit()).isEqualTo(10);
        assertThat(usage.period()).isEqualTo(UsagePeriod.calendarMonth(Instant.now()));
    }
}
