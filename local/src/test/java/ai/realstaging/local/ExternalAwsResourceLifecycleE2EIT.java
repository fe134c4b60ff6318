package ai.realstaging.local;

// end-to-end: the resource lifecycle scenarios with S3 and SQS from AWS_ENDPOINT_URL (moto_server or
// LocalStack); skipped when it is not set. CI runs it against moto_server.

import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

@EnabledIfEnvironmentVariable(named = "AWS_ENDPOINT_URL", matches = "https?://.+",
        disabledReason = "AWS_ENDPOINT_URL is not set: no external S3/SQS emulator to run against")
class ExternalAwsResourceLifecycleE2EIT extends ResourceLifecycleScenarios {
    @Override
    String awsEndpoint() {
        return System.getenv("AWS_ENDPOINT_URL");
    }

    /** moto_server ignores response-* overrides of a presigned GET (S3 and LocalStack apply them). */
    @Override
    boolean appliesResponseOverrides() {
        return false;
    }
}
