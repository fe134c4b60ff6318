package ai.realstaging.local;

// end-to-end: the walking-skeleton scenarios against the local stack with its in-JVM S3 and SQS emulators

class InJvmStackE2EIT extends WalkingSkeletonScenarios {
    @Override
    String awsEndpoint() {
        return null;
    }
}
