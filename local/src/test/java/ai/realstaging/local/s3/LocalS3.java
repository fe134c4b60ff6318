// unit: in-JVM S3 emulator over loopback HTTP (shared fixture: emulator on a JDK HttpServer plus SDK clients)
package ai.realstaging.local.s3;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

final class LocalS3 implements AutoCloseable {
  static final String REGION = "us-east-1";
  static final String ACCESS_KEY = "AKIALOCALTEST";
  static final String SECRET_KEY = "local/secret+key";

  record Delivery(String queueArn, String body) {}

  final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  final S3Emulator emulator;
  final URI endpoint;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final List<AutoCloseable> clients = new CopyOnWriteArrayList<>();

  LocalS3() {
    this(Clock.systemUTC(), S3Emulator.MAX_OBJECT_BYTES, (queue, body) -> {});
  }

  /** An emulator whose clock runs ahead of (or behind) this machine's. */
  static LocalS3 withClockOffset(Duration offset) {
    return new LocalS3(Clock.offset(Clock.systemUTC(), offset), S3Emulator.MAX_OBJECT_BYTES, (queue, body) -> {});
  }

  /** {@code alsoDeliver} runs after the delivery is recorded, so a throwing sink can be simulated. */
  LocalS3(Clock clock, long maxObjectBytes, NotificationSink alsoDeliver) {
    emulator = new S3Emulator(REGION, ACCESS_KEY, SECRET_KEY, (queue, body) -> {
      deliveries.add(new Delivery(queue, body));
      alsoDeliver.deliver(queue, body);
    }, clock, maxObjectBytes);
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", emulator);
    server.setExecutor(executor);
    server.start();
    endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The stored bytes, or null if there is no such object. */
  byte[] stored(String bucket, String key) {
    return emulator.objectBytes(bucket, key).orElse(null);
  }

  S3Client client() {
    return client(ACCESS_KEY, SECRET_KEY, REGION);
  }

  /** No retries: a rejected request should fail the test at once, not after backoff. */
  S3Client client(String accessKey, String secretKey, String region) {
    S3Client c = S3Client.builder()
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .region(Region.of(region))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
    clients.add(c);
    return c;
  }

  S3Presigner presigner() {
    S3Presigner p = S3Presigner.builder()
        .endpointOverride(endpoint)
        .region(Region.of(REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .build();
    clients.add(p);
    return p;
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : clients) c.close();
    server.stop(0);
    executor.close();
  }
}
