// unit: in-JVM S3 emulator over loopback HTTP
package ai.realstaging.local.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

class S3ObjectApiTest {
  private static final String BUCKET = "staging-uploads";

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
  void putThenGetAndHeadReturnExactBytesAndMetadata() throws Exception {
    byte[] photo = randomBytes(70_000, 1);
    PutObjectResponse put = s3.putObject(b -> b.bucket(BUCKET).key("rooms/kitchen.jpg").contentType("image/jpeg")
        .contentDisposition("attachment; filename=\"kitchen.jpg\"").cacheControl("max-age=60")
        .metadata(Map.of("room", "kitchen", "project-id", "p-42")), RequestBody.fromBytes(photo));

    String md5 = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(photo)) + "\"";
    assertThat(put.eTag()).isEqualTo(md5);
    ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("rooms/kitchen.jpg"));
    assertThat(got.asByteArray()).isEqualTo(photo);
    assertThat(got.response().contentType()).isEqualTo("image/jpeg");
    assertThat(got.response().contentDisposition()).isEqualTo("attachment; filename=\"kitchen.jpg\"");
    assertThat(got.response().cacheControl()).isEqualTo("max-age=60");
    assertThat(got.response().metadata())
        .containsExactlyInAnyOrderEntriesOf(Map.of("room", "kitchen", "project-id", "p-42"));
    assertThat(got.response().eTag()).isEqualTo(md5);
    assertThat(got.response().contentEncoding()).as("aws-chunked is upload framing, not stored").isNull();

    HeadObjectResponse head = s3.headObject(b -> b.bucket(BUCKET).key("rooms/kitchen.jpg"));
    assertThat(head.contentLength()).isEqualTo(photo.length);
    assertThat(head.eTag()).isEqualTo(md5);
    assertThat(head.contentType()).isEqualTo("image/jpeg");
    assertThat(head.lastModified()).isNotNull();
    assertThat(local.stored(BUCKET, "rooms/kitchen.jpg")).isEqualTo(photo);
  }

  @Test
  void putFromInputStreamWithDefaultSettingsStoresExactBytes() {
    byte[] data = randomBytes(1_000_003, 2); // several aws-chunked chunks
    s3.putObject(b -> b.bucket(BUCKET).key("stream.bin"),
        RequestBody.fromInputStream(new ByteArrayInputStream(data), data.length));

    assertThat(local.stored(BUCKET, "stream.bin")).isEqualTo(data);
    assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("stream.bin")).asByteArray()).isEqualTo(data);
  }

  @Test
  void emptyObjectRoundTrips() {
    s3.putObject(b -> b.bucket(BUCKET).key("empty"), RequestBody.empty());

    assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("empty")).asByteArray()).isEmpty();
    assertThat(s3.headObject(b -> b.bucket(BUCKET).key("empty")).contentLength()).isZero();
  }

  @ParameterizedTest
  // CRC64NVME is left out: the SDK needs aws-crt to compute it.
  @EnumSource(value = ChecksumAlgorithm.class, names = {"CRC32", "CRC32_C", "SHA1", "SHA256"})
  void flexibleChecksumsAreVerifiedEchoedAndReturnedForChecksumModeGets(ChecksumAlgorithm algorithm) {
    byte[] data = randomBytes(200_000, 3);
    PutObjectResponse put =
        s3.putObject(b -> b.bucket(BUCKET).key("sum").checksumAlgorithm(algorithm), RequestBody.fromBytes(data));

    String expected = S3Emulator.checksum(algorithm.toString().toLowerCase().replace("_", ""), data);
    assertThat(new String[] {put.checksumCRC32(), put.checksumCRC32C(), put.checksumSHA1(), put.checksumSHA256()})
        .contains(expected);
    ResponseBytes<GetObjectResponse> got =
        s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("sum").checksumMode(ChecksumMode.ENABLED));
    assertThat(got.asByteArray()).isEqualTo(data);
  }

  @Test
  void crc32MatchesTheStandardCheckValue() {
    assertThat(S3Emulator.checksum("crc32", "123456789".getBytes(UTF_8))).isEqualTo("y/Q5Jg=="); // 0xCBF43926
  }

  @Test
  void rangeGetsReturnPartialContent() {
    s3.putObject(b -> b.bucket(BUCKET).key("digits"), RequestBody.fromString("0123456789"));

    assertThat(range("bytes=2-5")).isEqualTo("2345");
    assertThat(range("bytes=7-")).isEqualTo("789");
    assertThat(range("bytes=-3")).isEqualTo("789");
    assertThat(range("bytes=8-100")).isEqualTo("89");
    ResponseBytes<GetObjectResponse> partial =
        s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("digits").range("bytes=2-5"));
    assertThat(partial.response().contentRange()).isEqualTo("bytes 2-5/10");
    assertThat(partial.response().contentLength()).isEqualTo(4);
    assertThatThrownBy(() -> range("bytes=10-"))
        .isInstanceOfSatisfying(S3Exception.class, e -> {
          assertThat(e.statusCode()).isEqualTo(416);
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidRange");
        });
  }

  private String range(String range) {
    return s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("digits").range(range)).asUtf8String();
  }

  @Test
  void missingObjectsAndBucketsAreNotFound() {
    assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("nope")))
        .isInstanceOfSatisfying(NoSuchKeyException.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    assertThatThrownBy(() -> s3.headObject(b -> b.bucket(BUCKET).key("nope")))
        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("no-such-bucket").key("k")))
        .isInstanceOf(NoSuchBucketException.class);
    assertThatThrownBy(() -> s3.putObject(b -> b.bucket("no-such-bucket").key("k"), RequestBody.fromString("x")))
        .isInstanceOf(NoSuchBucketException.class);
  }

  @Test
  void deleteObjectIsIdempotent() {
    s3.putObject(b -> b.bucket(BUCKET).key("gone"), RequestBody.fromString("x"));

    assertThat(s3.deleteObject(b -> b.bucket(BUCKET).key("gone")).sdkHttpResponse().statusCode()).isEqualTo(204);
    assertThat(s3.deleteObject(b -> b.bucket(BUCKET).key("gone")).sdkHttpResponse().statusCode()).isEqualTo(204);
    assertThat(local.emulator.objectBytes(BUCKET, "gone")).isEmpty();
  }

  @Test
  void deleteObjectsReportsDeletedKeysUnlessQuiet() {
    for (String k : List.of("a", "b", "c", "d")) s3.putObject(b -> b.bucket(BUCKET).key(k), RequestBody.fromString(k));

    var loud = s3.deleteObjects(b -> b.bucket(BUCKET).delete(d -> d.objects(
        ObjectIdentifier.builder().key("a").build(), ObjectIdentifier.builder().key("missing").build())));
    var quiet = s3.deleteObjects(b -> b.bucket(BUCKET).delete(d -> d.quiet(true).objects(
        ObjectIdentifier.builder().key("b").build(), ObjectIdentifier.builder().key("c").build())));

    assertThat(loud.deleted()).extracting(d -> d.key()).containsExactly("a", "missing");
    assertThat(quiet.deleted()).isEmpty();
    assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET)).contents()).extracting(S3Object::key).containsExactly("d");
  }

  @Test
  void copyKeepsOrReplacesMetadata() {
    s3.putObject(b -> b.bucket(BUCKET).key("src.png").contentType("image/png").metadata(Map.of("v", "1")),
        RequestBody.fromString("pixels"));
    s3.createBucket(b -> b.bucket("staging-results"));

    var copied = s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("src.png").destinationBucket("staging-results")
        .destinationKey("copy of src.png"));
    s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("src.png").destinationBucket(BUCKET).destinationKey("src.png")
        .metadataDirective(MetadataDirective.REPLACE).contentType("image/webp").metadata(Map.of("v", "2")));

    assertThat(copied.copyObjectResult().eTag()).isEqualTo(s3.headObject(b -> b.bucket(BUCKET).key("src.png")).eTag());
    HeadObjectResponse copy = s3.headObject(b -> b.bucket("staging-results").key("copy of src.png"));
    assertThat(copy.contentType()).isEqualTo("image/png");
    assertThat(copy.metadata()).containsEntry("v", "1");
    HeadObjectResponse replaced = s3.headObject(b -> b.bucket(BUCKET).key("src.png"));
    assertThat(replaced.contentType()).isEqualTo("image/webp");
    assertThat(replaced.metadata()).containsEntry("v", "2");
    assertThat(local.stored("staging-results", "copy of src.png")).asString(UTF_8).isEqualTo("pixels");
    assertThatThrownBy(() -> s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("src.png").destinationBucket(BUCKET)
        .destinationKey("src.png")))
        .isInstanceOfSatisfying(S3Exception.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidRequest"));
    assertThatThrownBy(() -> s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("absent").destinationBucket(BUCKET)
        .destinationKey("x")))
        .isInstanceOf(NoSuchKeyException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"with space.jpg", "plus+sign.jpg", "100%/done", "ünïcødé/日本語 ✓.png", "a//double/slash",
      "tilde~*'()!$&,;=@:[].txt", "trailing/"})
  void unusualKeysRoundTripAndListExactly(String key) {
    s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString(key));

    assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asUtf8String()).isEqualTo(key);
    assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET)).contents()).extracting(S3Object::key).containsExactly(key);
    assertThat(local.emulator.objectBytes(BUCKET, key)).isPresent();
  }

  @Test
  void listObjectsV2PagesWithContinuationTokens() {
    List<String> keys = IntStream.range(0, 25).mapToObj(i -> String.format("photos/%02d.jpg", i)).toList();
    keys.forEach(k -> s3.putObject(b -> b.bucket(BUCKET).key(k), RequestBody.fromString(k)));
    s3.putObject(b -> b.bucket(BUCKET).key("other.txt"), RequestBody.fromString("o"));

    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String t = token;
      ListObjectsV2Response page =
          s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("photos/").maxKeys(10).continuationToken(t));
      page.contents().forEach(o -> seen.add(o.key()));
      assertThat(page.keyCount()).isEqualTo(page.contents().size());
      token = page.isTruncated() ? page.nextContinuationToken() : null;
      pages++;
    } while (token != null);

    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyElementsOf(keys);
    assertThat(s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).maxKeys(7)).contents()).hasSize(26);
    assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("photos/").startAfter("photos/22.jpg")).contents())
        .extracting(S3Object::key).containsExactly("photos/23.jpg", "photos/24.jpg");
    S3Object first = s3.listObjectsV2(b -> b.bucket(BUCKET).maxKeys(1)).contents().getFirst();
    assertThat(first.key()).isEqualTo("other.txt");
    assertThat(first.size()).isEqualTo(1);
    assertThat(first.eTag()).startsWith("\"");
  }

  @Test
  void delimiterGroupsCommonPrefixesAcrossPages() {
    for (String k : List.of("a.txt", "p1/x", "p1/y", "p2/x", "p3/z/deep", "z.txt")) {
      s3.putObject(b -> b.bucket(BUCKET).key(k), RequestBody.fromString(k));
    }

    ListObjectsV2Response all = s3.listObjectsV2(b -> b.bucket(BUCKET).delimiter("/"));
    assertThat(all.contents()).extracting(S3Object::key).containsExactly("a.txt", "z.txt");
    assertThat(all.commonPrefixes()).extracting(CommonPrefix::prefix).containsExactly("p1/", "p2/", "p3/");
    List<String> paged = new ArrayList<>();
    s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).delimiter("/").maxKeys(2)).forEach(page -> {
      page.contents().forEach(o -> paged.add(o.key()));
      page.commonPrefixes().forEach(p -> paged.add(p.prefix()));
    });
    assertThat(paged).containsExactly("a.txt", "p1/", "p2/", "p3/", "z.txt");
    List<String> pagedV1 = new ArrayList<>();
    String marker = null;
    do {
      String m = marker;
      var page = s3.listObjects(b -> b.bucket(BUCKET).delimiter("/").maxKeys(2).marker(m));
      page.contents().forEach(o -> pagedV1.add(o.key()));
      page.commonPrefixes().forEach(p -> pagedV1.add(p.prefix()));
      marker = page.isTruncated() ? page.nextMarker() : null;
    } while (marker != null);
    assertThat(pagedV1).containsExactlyInAnyOrder("a.txt", "p1/", "p2/", "p3/", "z.txt");
    assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("p3/").delimiter("/")).commonPrefixes())
        .extracting(CommonPrefix::prefix).containsExactly("p3/z/");
  }

  @Test
  void bucketLifecycle() {
    assertThat(s3.listBuckets().buckets()).extracting(Bucket::name).containsExactly(BUCKET);
    assertThatThrownBy(() -> s3.createBucket(b -> b.bucket(BUCKET)))
        .isInstanceOfSatisfying(S3Exception.class, e -> {
          assertThat(e.statusCode()).isEqualTo(409);
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("BucketAlreadyOwnedByYou");
        });
    s3.putObject(b -> b.bucket(BUCKET).key("k"), RequestBody.fromString("x"));
    assertThatThrownBy(() -> s3.deleteBucket(b -> b.bucket(BUCKET)))
        .isInstanceOfSatisfying(S3Exception.class, e -> {
          assertThat(e.statusCode()).isEqualTo(409);
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("BucketNotEmpty");
        });
    s3.deleteObject(b -> b.bucket(BUCKET).key("k"));
    s3.headBucket(b -> b.bucket(BUCKET));
    s3.deleteBucket(b -> b.bucket(BUCKET));
    assertThatThrownBy(() -> s3.headBucket(b -> b.bucket(BUCKET))).isInstanceOf(NoSuchBucketException.class);
    assertThat(s3.listBuckets().buckets()).isEmpty();
    local.emulator.createBucket("seeded-bucket");
    local.emulator.createBucket("seeded-bucket");
    assertThat(s3.listBuckets().buckets()).extracting(Bucket::name).containsExactly("seeded-bucket");
  }

  @Test
  void unsupportedSubResourcesAreNotImplemented() {
    assertThatThrownBy(() -> s3.getBucketVersioning(b -> b.bucket(BUCKET)))
        .isInstanceOfSatisfying(S3Exception.class, e -> {
          assertThat(e.statusCode()).isEqualTo(501);
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("NotImplemented");
        });
    assertThatThrownBy(() -> s3.createMultipartUpload(b -> b.bucket(BUCKET).key("big")))
        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(501));
  }

  @Test
  void bodiesOverTheLimitAreRejected() throws Exception {
    try (LocalS3 small = new LocalS3(Clock.systemUTC(), 1024, (q, b) -> {})) {
      S3Client client = small.client();
      client.createBucket(b -> b.bucket(BUCKET));
      client.putObject(b -> b.bucket(BUCKET).key("fits"), RequestBody.fromBytes(new byte[1024]));

      assertThatThrownBy(() -> client.putObject(b -> b.bucket(BUCKET).key("big"),
          RequestBody.fromBytes(new byte[1025])))
          .isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).isEqualTo(400);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("EntityTooLarge");
          });
      assertThat(small.emulator.objectBytes(BUCKET, "big")).isEmpty();
    }
  }

  @Test
  void concurrentPutsAndGetsKeepEveryObjectIntact() throws Exception {
    try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
      List<Callable<Void>> work = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        int n = i;
        work.add(() -> {
          byte[] data = randomBytes(10_000 + n, n);
          s3.putObject(b -> b.bucket(BUCKET).key("c/" + n), RequestBody.fromBytes(data));
          assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("c/" + n)).asByteArray()).isEqualTo(data);
          return null;
        });
      }
      for (Future<Void> f : pool.invokeAll(work)) f.get();
    }
    assertThat(s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix("c/")).contents()).hasSize(64);
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
