package ai.realstaging.stageimage;

import ai.realstaging.common.config.Config;
import ai.realstaging.common.testing.TestDatabase;
import java.util.HashMap;
import java.util.Map;

/** The settings the deployed function gets, aimed at the test database and the test doubles. */
final class TestSettings {
    static final String BUCKET = "realstaging-media-test";

    private TestSettings() {}

    /** {@code extra} adds settings or overrides these. */
    static Config of(TestDatabase db, FakeAws aws, FakeReplicate replicate, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.ofEntries(
                Map.entry("DATABASE_URL", db.databaseUrlSetting()),
                Map.entry("AWS_ENDPOINT_URL", aws.endpoint().toString()),
                Map.entry("AWS_ACCESS_KEY_ID", "test"),
                Map.entry("AWS_SECRET_ACCESS_KEY", "test"),
                Map.entry("AWS_REGION", "us-east-1"),
                Map.entry("BUCKET_NAME", BUCKET),
                Map.entry("STAGING_QUEUE_URL", aws.queueUrl()),
                Map.entry("REPLICATE_BASE_URL", replicate.baseUrl().toString()),
                Map.entry("REPLICATE_API_TOKEN", "r8_test_token"),
                Map.entry("STAGE_POLL_MILLIS", "20")));
        settings.putAll(extra);
        return Config.of(settings);
    }
}
