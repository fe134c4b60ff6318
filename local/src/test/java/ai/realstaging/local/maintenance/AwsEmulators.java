// test fixture: the in-JVM S3 and SQS emulators on one loopback endpoint, as AWS_ENDPOINT_URL names them
package ai.realstaging.local.maintenance;

import ai.realstaging.local.s3.S3Emulator;
import ai.realstaging.local.sqs.SqsEmulator;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * S3 and SQS as the local stack serves them (no bucket notifications configured, so an object put
 * here is never announced), one bucket and one staging queue, and a record of every key S3 was
 * asked to delete, to tell one deletion from two.
 */
final class AwsEmulators implements AutoCloseable {
    static final String REGION = "us-east-1";
    static final String KEY = "test";
    static final String SECRET = "test";
    static final String BUCKET = "realstaging-media-sweeps";
    private static final Pattern DELETED_KEY = Pattern.compile("<Key>([^<]*)</Key>");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    final S3Emulator s3;
    final SqsEmulator sqs;
    final URI endpoint;
    final String queueUrl;
    final S3Client s3Client;
    final SqsClient sqsClient;
    /** Every key named by a DeleteObjects request, once per request. */
    final List<String> deleteRequests = new CopyOnWriteArrayList<>();

    AwsEmulators() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        sqs = new SqsEmulator(REGION, "000000000000", () -> endpoint);
        s3 = new S3Emulator(REGION, KEY, SECRET, sqs::sendByArn);
        server.createContext("/", exchange -> {
            if (SqsEmulator.isSqsRequest(exchange)) {
                sqs.handle(exchange);
                return;
            }
            if ("POST".equals(exchange.getRequestMethod()) && String.valueOf(exchange.getRequestURI().getQuery())
                    .contains("delete")) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                Matcher m = DELETED_KEY.matcher(new String(body, StandardCharsets.UTF_8));
                while (m.find()) deleteRequests.add(m.group(1));
                exchange.setStreams(new ByteArrayInputStream(body), null);
            }
            s3.handle(exchange);
        });
        server.setExecutor(executor);
        server.start();
        s3.createBucket(BUCKET);
        queueUrl = sqs.createQueue("StagingQueue", Map.of("VisibilityTimeout", "1800"));
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET));
        s3Client = S3Client.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.of(REGION))
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        sqsClient = SqsClient.builder().endpointOverride(endpoint).region(Region.of(REGION))
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** The settings a function wired from configuration needs to reach these emulators. */
    Map<String, String> settings() {
        return Map.of("AWS_ENDPOINT_URL", endpoint.toString(), "AWS_ACCESS_KEY_ID", KEY,
                "AWS_SECRET_ACCESS_KEY", SECRET, "AWS_REGION", REGION, "BUCKET_NAME", BUCKET,
                "STAGING_QUEUE_URL", queueUrl);
    }

    void put(String key, byte[] bytes) {
        s3Client.putObject(r -> r.bucket(BUCKET).key(key), RequestBody.fromBytes(bytes));
    }

    boolean exists(String key) {
        return s3.objectBytes(BUCKET, key).isPresent();
    }

    long deleteRequestsFor(String key) {
        return deleteRequests.stream().filter(key::equals).count();
    }

    /** Receives (and deletes) every visible message now on the staging queue, in no particular order. */
    List<String> drain() {
        List<String> bodies = new ArrayList<>();
        while (true) {
            List<Message> batch = sqsClient.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0)).messages();
            if (batch.isEmpty()) return bodies;
            for (Message m : batch) {
                bodies.add(m.body());
                sqsClient.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
    }

    @Override
    public void close() {
        s3Client.close();
        sqsClient.close();
        server.stop(0);
        executor.shutdownNow();
    }
}
