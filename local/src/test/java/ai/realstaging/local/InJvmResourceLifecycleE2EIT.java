package ai.realstaging.local;

// end-to-end: the resource lifecycle scenarios against the in-JVM S3 and SQS emulators

class InJvmResourceLifecycleE2EIT extends ResourceLifecycleScenarios {
    @Override
    String awsEndpoint() {
        return null;
    }
}
