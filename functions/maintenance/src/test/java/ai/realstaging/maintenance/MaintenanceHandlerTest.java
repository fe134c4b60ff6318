// unit: the handler on the events/scheduled fixture, wired from configuration whose database and AWS endpoint are down
package ai.realstaging.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.realstaging.common.config.Config;
import ai.realstaging.common.testing.Events;
import ai.realstaging.common.testing.OfflineAws;
import ai.realstaging.common.testing.TestContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaintenanceHandlerTest {

    private static Config downConfig() {
        int closed = OfflineAws.closedPort();
        return Config.of(Map.of(
                "DATABASE_URL", "postgresql://app:s3cret-password@127.0.0.1:" + closed + "/realstaging",
                "AWS_ENDPOINT_URL", "http://127.0.0.1:" + closed,
                "AWS_ACCESS_KEY_ID", "test",
                "AWS_SECRET_ACCESS_KEY", "test",
                "AWS_REGION", "us-east-1",
                "BUCKET_NAME", "media",
                "STAGING_QUEUE_URL", "http://127.0.0.1:" + closed + "/000000000000/StagingQueue"));
    }

    @Test
    void everySweepRunsAndTheInvocationFailsNamingTheOnesThatCouldNotWork() {
        MaintenanceHandler handler = new MaintenanceHandler(downConfig());

        assertThatThrownBy(() -> handler.handleRequest(Events.scheduled("scheduled/scheduled_event.json"),
                new TestContext("maintenance", Duration.ofMinutes(2))))
                .isInstanceOfSatisfying(MaintenanceHandler.SweepsFailed.class, e -> {
                    assertThat(e.summary().failed())
                            .containsExactly("expired_uploads", "stuck_images", "unsent_messages", "storage_deletions");
                    assertThat(e.getMessage()).doesNotContain("s3cret").doesNotContain("127.0.0.1");
                });
    }

    @Test
    void settingsDefaultToTheDocumentedValuesAndFollowConfiguration() {
        assertThat(Sweeps.Settings.from(Config.of(Map.of()))).isEqualTo(new Sweeps.Settings(
                Duration.ofMinutes(5), Duration.ofMinutes(35), 10, Duration.ofMinutes(20), 100));

        assertThat(Sweeps.Settings.from(Config.of(Map.of(
                "MAINTENANCE_UPLOAD_GRACE_SECONDS", "60", "MAINTENANCE_STUCK_GRACE_SECONDS", "3600",
                "MAINTENANCE_STUCK_MAX_ATTEMPTS", "3", "MAINTENANCE_RESEND_AFTER_SECONDS", "1200",
                "MAINTENANCE_LIMIT", "7"))))
                .isEqualTo(new Sweeps.Settings(Duration.ofMinutes(1), Duration.ofHours(1), 3, Duration.ofMinutes(20), 7));
    }

    @Test
    void theSummaryIsAnsweredWithSnakeCaseNames() {
        Map<String, Object> answer = MaintenanceHandler.asMap(
                new Sweeps.Summary(1, 2, 3, 4, 5, 6, 7, 8, List.of("stuck_images"), 9));

        assertThat(answer).containsExactly(Map.entry("uploads_expired", 1), Map.entry("images_expired", 2),
                Map.entry("uploads_renotified", 3), Map.entry("images_requeued", 4), Map.entry("images_timed_out", 5),
                Map.entry("messages_resent", 6), Map.entry("files_deleted", 7), Map.entry("files_pending", 8),
                Map.entry("failed", List.of("stuck_images")), Map.entry("millis", 9L));
    }
}
