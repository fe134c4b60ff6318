package ai.realstaging.common.testing;

import ai.realstaging.common.queue.StagingQueue;
import ai.realstaging.common.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Storage for tests that only presign (offline computation): a presigner pinned to real S3 with
 * AWS's example keys — never to an ambient AWS_ENDPOINT_URL — and an S3 client aimed at a closed
 * port, so any real S3 call fails at once.
 */
public final class OfflineAws implements AutoCloseable {
    public static final String ACCESS_KEY = "AKIDEXAMPLE";
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));

    private final S3Client s3;
    private final S3Presigner presigner;

    public OfflineAws() {
        s3 = S3Client.builder().region(Region.US_EAST_1).credentialsProvider(CREDENTIALS)
                .endpointOverride(URI.create("http://127.0.0.1:" + closedPort())).build();
        presigner = S3Presigner.builder().region(Region.US_EAST_1)
                .endpointOverride(URI.create("https://s3.us-east-1.amazonaws.com"))
                .credentialsProvider(CREDENTIALS).build();
    }

    /** A staging queue whose sends fail at once, as when SQS is unreachable. */
    public StagingQueue queue() {
        return new StagingQueue(() -> SqsClient.builder().region(Region.US_EAST_1).credentialsProvider(CREDENTIALS)
                .endpointOverride(URI.create("http://127.0.0.1:" + closedPort()))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build(),
                "http://127.0.0.1/000000000000/staging");
    }

    public Storage storage(String bucket) {
        return new Storage(s3, presigner, bucket);
    }

    /** A loopback port nothing listens on (for a database or service that must be down). */
    public static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        s3.close();
        presigner.close();
    }
}
