// unit: in-JVM S3 emulator over loopback HTTP
package ai.realstaging.local.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.s3.model.FilterRule;
import software.amazon.awssdk.services.s3.model.FilterRuleName;
import software.amazon.awssdk.services.s3.model.NotificationConfiguration;
import software.amazon.awssdk.services.s3.model.QueueConfiguration;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3NotificationTest {
  private static final String BUCKET = "staging-uploads";
  private static final String QUEUE = "arn:aws:sqs:us-east-1:000000000000:uploads";
  private static final String OTHER_QUEUE = "arn:aws:sqs:us-east-1:000000000000:audit";
  private static final ObjectMapper JSON = new ObjectMapper();

  private LocalS3 local;
  private S3Client s3;

  @BeforeEach
  void start() {
    local = new LocalS3();
    s3 = local.client();
    s3.createBucket(b -> b.bucket(BUCKET));
  }

  @AfterEach
  void stop() throws Exception {
    local.close();
  }

  @Test
  void configurationDeliversTestEventThenMatchingPutsOnly() throws Exception {
    configure(queue("uploads-created", QUEUE, "s3:ObjectCreated:*",
        FilterRule.builder().name("prefix").value("uploads/").build()));

    assertThat(local.deliveries).hasSize(1);
    JsonNode test = JSON.readTree(local.deliveries.getFirst().body());
    assertThat(local.deliveries.getFirst().queueArn()).isEqualTo(QUEUE);
    assertThat(test.get("Service").asText()).isEqualTo("Amazon S3");
    assertThat(test.get("Event").asText()).isEqualTo("s3:TestEvent");
    assertThat(test.get("Bucket").asText()).isEqualTo(BUCKET);
    assertThat(test.get("Time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(test.has("RequestId")).isTrue();
    assertThat(test.has("HostId")).isTrue();
    local.deliveries.clear();

    byte[] photo = S3ObjectApiTest.randomBytes(1234, 9);
    s3.putObject(b -> b.bucket(BUCKET).key("uploads/p-1/room.jpg"), RequestBody.fromBytes(photo));
    s3.putObject(b -> b.bucket(BUCKET).key("results/p-1/room.jpg"), RequestBody.fromBytes(photo));

    assertThat(local.deliveries).hasSize(1);
    assertThat(local.deliveries.getFirst().queueArn()).isEqualTo(QUEUE);
    JsonNode root = JSON.readTree(local.deliveries.getFirst().body());
    assertThat(root.get("Records")).hasSize(1);
    JsonNode record = root.get("Records").get(0);
    assertThat(record.get("eventVersion").asText()).isEqualTo("2.1");
    assertThat(record.get("eventSource").asText()).isEqualTo("aws:s3");
    assertThat(record.get("awsRegion").asText()).isEqualTo("us-east-1");
    assertThat(record.get("eventName").asText()).isEqualTo("ObjectCreated:Put");
    assertThat(Instant.parse(record.get("eventTime").asText())).isBetween(Instant.now().minusSeconds(60),
        Instant.now());
    assertThat(record.get("eventTime").asText()).matches(".*\\.\\d{3}Z");
    assertThat(record.at("/userIdentity/principalId").asText()).isEqualTo("AWS:LOCAL");
    assertThat(record.at("/requestParameters/sourceIPAddress").asText()).isEqualTo("127.0.0.1");
    assertThat(record.at("/responseElements/x-amz-request-id").asText()).isNotEmpty();
    assertThat(record.at("/s3/s3SchemaVersion").asText()).isEqualTo("1.0");
    assertThat(record.at("/s3/configurationId").asText()).isEqualTo("uploads-created");
    assertThat(record.at("/s3/bucket/name").asText()).isEqualTo(BUCKET);
    assertThat(record.at("/s3/bucket/arn").asText()).isEqualTo("arn:aws:s3:::" + BUCKET);
    assertThat(record.at("/s3/object/key").asText()).isEqualTo("uploads/p-1/room.jpg");
    assertThat(record.at("/s3/object/size").asLong()).isEqualTo(1234);
    assertThat(record.at("/s3/object/eTag").asText())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(photo)));
    assertThat(record.at("/s3/object/sequencer").asText()).matches("[0-9A-F]{16,}");
  }

  @Test
  void keysArriveFormUrlEncodedWithSlashesKept() throws Exception {
    configure(queue("all", QUEUE, "s3:ObjectCreated:Put"));
    local.deliveries.clear();
    String key = "uploads/my room+1 (ü)%.jpg";

    s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("x"));

    String encoded = onlyRecord().at("/s3/object/key").asText();
    assertThat(encoded).isEqualTo("uploads/my+room%2B1+%28%C3%BC%29%25.jpg");
    assertThat(URLDecoder.decode(encoded, UTF_8)).isEqualTo(key);
    assertThat(local.emulator.objectBytes(BUCKET, key)).isPresent();
  }

  @Test
  void suffixFiltersEnumRuleNamesAndSeveralQueues() throws Exception {
    configure(
        queue("jpegs", QUEUE, "s3:ObjectCreated:*",
            FilterRule.builder().name(FilterRuleName.PREFIX).value("uploads/").build(),
            FilterRule.builder().name(FilterRuleName.SUFFIX).value(".jpg").build()),
        queue("audit", OTHER_QUEUE, "s3:ObjectCreated:*", FilterRule.builder().name("Prefix").value("").build()));

    assertThat(local.deliveries).extracting(LocalS3.Delivery::queueArn).containsExactlyInAnyOrder(QUEUE, OTHER_QUEUE);
    local.deliveries.clear();
    s3.putObject(b -> b.bucket(BUCKET).key("uploads/a.png"), RequestBody.fromString("x"));
    s3.putObject(b -> b.bucket(BUCKET).key("uploads/a.jpg"), RequestBody.fromString("x"));

    assertThat(local.deliveries).extracting(LocalS3.Delivery::queueArn)
        .containsExactlyInAnyOrder(OTHER_QUEUE, QUEUE, OTHER_QUEUE);
    var stored = s3.getBucketNotificationConfiguration(b -> b.bucket(BUCKET)).queueConfigurations();
    assertThat(stored).extracting(QueueConfiguration::id).containsExactly("jpegs", "audit");
    assertThat(stored.getFirst().events()).containsExactly(Event.S3_OBJECT_CREATED);
    assertThat(stored.getFirst().filter().key().filterRules()).extracting(FilterRule::name, FilterRule::value)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(FilterRuleName.PREFIX, "uploads/"),
            org.assertj.core.groups.Tuple.tuple(FilterRuleName.SUFFIX, ".jpg"));
  }

  @Test
  void copiesAndDeletesNotifyWhenConfigured() throws Exception {
    s3.putObject(b -> b.bucket(BUCKET).key("src.jpg"), RequestBody.fromString("x"));
    configure(queue("created", QUEUE, "s3:ObjectCreated:Copy"), queue("removed", OTHER_QUEUE, "s3:ObjectRemoved:*"));
    local.deliveries.clear();

    s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("src.jpg").destinationBucket(BUCKET).destinationKey("dst.jpg"));
    s3.putObject(b -> b.bucket(BUCKET).key("ignored.jpg"), RequestBody.fromString("x"));
    s3.deleteObject(b -> b.bucket(BUCKET).key("src.jpg"));
    s3.deleteObject(b -> b.bucket(BUCKET).key("never-existed.jpg"));

    assertThat(local.deliveries).extracting(LocalS3.Delivery::queueArn).containsExactly(QUEUE, OTHER_QUEUE);
    JsonNode copy = JSON.readTree(local.deliveries.get(0).body()).get("Records").get(0);
    JsonNode delete = JSON.readTree(local.deliveries.get(1).body()).get("Records").get(0);
    assertThat(copy.get("eventName").asText()).isEqualTo("ObjectCreated:Copy");
    assertThat(copy.at("/s3/object/size").asLong()).isEqualTo(1);
    assertThat(delete.get("eventName").asText()).isEqualTo("ObjectRemoved:Delete");
    assertThat(delete.at("/s3/object/key").asText()).isEqualTo("src.jpg");
    assertThat(delete.at("/s3/object").has("size")).isFalse();
    assertThat(delete.at("/s3/object/sequencer").asText()).isGreaterThan(copy.at("/s3/object/sequencer").asText());
  }

  @Test
  void failingSinkDoesNotFailThePutAndFailedPutsDoNotNotify() throws Exception {
    try (LocalS3 broken = new LocalS3(Clock.systemUTC(), S3Emulator.MAX_OBJECT_BYTES, (q, b) -> {
      throw new IllegalStateException("queue is down");
    })) {
      S3Client client = broken.client();
      client.createBucket(b -> b.bucket(BUCKET));
      client.putBucketNotificationConfiguration(b -> b.bucket(BUCKET).notificationConfiguration(
          NotificationConfiguration.builder().queueConfigurations(queue("q", QUEUE, "s3:ObjectCreated:*")).build()));
      broken.deliveries.clear();

      client.putObject(b -> b.bucket(BUCKET).key("k"), RequestBody.fromString("still stored"));
      assertThatThrownBy(() -> broken.client(LocalS3.ACCESS_KEY, "wrong", LocalS3.REGION)
          .putObject(b -> b.bucket(BUCKET).key("k2"), RequestBody.fromString("x"))).isInstanceOf(S3Exception.class);

      assertThat(broken.emulator.objectBytes(BUCKET, "k")).isPresent();
      assertThat(broken.deliveries).hasSize(1);
    }
  }

  @Test
  void invalidConfigurationsAreRejected() {
    assertThatThrownBy(() -> configure(queue("bad", QUEUE, "s3:ObjectCreated:*",
        FilterRule.builder().name("middle").value("x").build())))
        .isInstanceOfSatisfying(S3Exception.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidArgument"));
    assertThatThrownBy(() -> s3.putBucketNotificationConfiguration(b -> b.bucket(BUCKET).notificationConfiguration(
        n -> n.topicConfigurations(t -> t.topicArn("arn:aws:sns:us-east-1:000000000000:t")
            .events(Event.S3_OBJECT_CREATED)))))
        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(501));
    assertThat(local.deliveries).isEmpty();
    configure();
    assertThat(s3.getBucketNotificationConfiguration(b -> b.bucket(BUCKET)).queueConfigurations()).isEmpty();
  }

  private void configure(QueueConfiguration... queues) {
    s3.putBucketNotificationConfiguration(b -> b.bucket(BUCKET)
        .notificationConfiguration(NotificationConfiguration.builder().queueConfigurations(queues).build()));
  }

  private static QueueConfiguration queue(String id, String arn, String event, FilterRule... rules) {
    QueueConfiguration.Builder q =
        QueueConfiguration.builder().id(id).queueArn(arn).events(List.of(Event.fromValue(event)));
    if (rules.length > 0) q.filter(f -> f.key(k -> k.filterRules(rules)));
    return q.build();
  }

  private JsonNode onlyRecord() throws Exception {
    assertThat(local.deliveries).hasSize(1);
    return JSON.readTree(local.deliveries.getFirst().body()).get("Records").get(0);
  }
}
