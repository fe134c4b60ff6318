// unit: in-JVM S3 emulator over loopback HTTP
package ai.realstaging.local.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

class S3SigV4Test {
  private static final String BUCKET = "staging-uploads";
  /** java.net.http sets these itself; everything else the signer chose is sent as signed. */
  private static final Set<String> CLIENT_MANAGED = Set.of("host", "content-length", "connection", "expect", "upgrade");

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
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
    http.close();
  }

  @Test
  void presignedPutWithPinnedTypeAndLengthAcceptsExactlyTheSignedRequest() {
    byte[] photo = S3ObjectApiTest.randomBytes(5_000, 7);
    PresignedPutObjectRequest url = presignPut("uploads/room 1.jpg", "image/jpeg", photo.length);
    assertThat(url.signedHeaders()).containsKeys("host", "content-type", "content-length");

    HttpResponse<String> ok = send(url.url().toString(), "PUT", photo, Map.of("Content-Type", "image/jpeg"));

    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("etag")).isPresent();
    assertThat(local.stored(BUCKET, "uploads/room 1.jpg")).isEqualTo(photo);
    assertThat(s3.headObject(b -> b.bucket(BUCKET).key("uploads/room 1.jpg")).contentType()).isEqualTo("image/jpeg");
  }

  @Test
  void presignedPutWithAnotherContentTypeIsRejected() {
    PresignedPutObjectRequest url = presignPut("uploads/a.jpg", "image/jpeg", 3);

    HttpResponse<String> r = put(url, "abc", "text/html");

    assertError(r, 403, "SignatureDoesNotMatch");
    assertThat(r.body()).contains("<CanonicalRequest>").contains("content-type:text/html");
    assertThat(local.emulator.objectBytes(BUCKET, "uploads/a.jpg")).isEmpty();
  }

  @Test
  void presignedPutWithAnotherBodyLengthIsRejected() {
    PresignedPutObjectRequest url = presignPut("uploads/a.jpg", "image/jpeg", 3);

    assertError(put(url, "abcd", "image/jpeg"), 403, "SignatureDoesNotMatch");
    assertError(put(url, "ab", "image/jpeg"), 403, "SignatureDoesNotMatch");
    assertThat(local.emulator.objectBytes(BUCKET, "uploads/a.jpg")).isEmpty();
  }

  @Test
  void presignedPutWithAnExtraUnsignedAmzHeaderIsRejected() {
    PresignedPutObjectRequest url = presignPut("uploads/a.jpg", "image/jpeg", 3);

    HttpResponse<String> r = send(url.url().toString(), "PUT", "abc".getBytes(UTF_8),
        Map.of("Content-Type", "image/jpeg", "x-amz-meta-owner", "mallory"));

    assertError(r, 403, "AccessDenied");
    assertThat(r.body()).contains("x-amz-meta-owner");
  }

  @Test
  void expiredPresignedUrlIsRejected() throws Exception {
    try (LocalS3 later = LocalS3.withClockOffset(Duration.ofHours(2))) {
      later.emulator.createBucket(BUCKET);
      PresignedPutObjectRequest url = later.presigner().presignPutObject(p -> p.signatureDuration(Duration.ofHours(1))
          .putObjectRequest(o -> o.bucket(BUCKET).key("late.jpg").contentType("image/jpeg").contentLength(3L)));

      HttpResponse<String> r = put(url, "abc", "image/jpeg");

      assertError(r, 403, "AccessDenied");
      assertThat(r.body()).contains("<Message>Request has expired</Message>");
      assertThat(later.emulator.objectBytes(BUCKET, "late.jpg")).isEmpty();
    }
  }

  @Test
  void tamperedPresignedSignatureIsRejected() {
    String url = presignPut("uploads/a.jpg", "image/jpeg", 3).url().toString();
    char last = url.charAt(url.length() - 1);
    String tampered = url.substring(0, url.length() - 1) + (last == '0' ? '1' : '0');

    HttpResponse<String> r = send(tampered, "PUT", "abc".getBytes(UTF_8), Map.of("Content-Type", "image/jpeg"));
    assertError(r, 403, "SignatureDoesNotMatch");
  }

  @Test
  void presignedGetAppliesResponseHeaderOverrides() {
    s3.putObject(b -> b.bucket(BUCKET).key("staged/room+1.jpg").contentType("image/jpeg"),
        RequestBody.fromString("jpeg"));
    PresignedGetObjectRequest url = local.presigner().presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
        .getObjectRequest(g -> g.bucket(BUCKET).key("staged/room+1.jpg")
            .responseContentDisposition("attachment; filename=\"staged room.jpg\"")
            .responseContentType("application/octet-stream")));

    HttpResponse<String> r = send(url.url().toString(), "GET", null, Map.of());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("jpeg");
    assertThat(r.headers().firstValue("content-disposition")).hasValue("attachment; filename=\"staged room.jpg\"");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/octet-stream");
  }

  @Test
  void sdkClientWithWrongSecretIsRejected() {
    S3Client wrong = local.client(LocalS3.ACCESS_KEY, "not-the-secret", LocalS3.REGION);

    assertSdkError(() -> wrong.putObject(b -> b.bucket(BUCKET).key("k"), RequestBody.fromString("x")), 403,
        "SignatureDoesNotMatch");
    assertSdkError(() -> wrong.listObjectsV2(b -> b.bucket(BUCKET)), 403, "SignatureDoesNotMatch");
    assertThat(local.emulator.objectBytes(BUCKET, "k")).isEmpty();
  }

  @Test
  void unknownAccessKeyWrongRegionAndSkewedClockAreRejected() throws Exception {
    assertSdkError(() -> local.client("AKIAOTHER", LocalS3.SECRET_KEY, LocalS3.REGION).listBuckets(), 403,
        "InvalidAccessKeyId");
    assertSdkError(() -> local.client(LocalS3.ACCESS_KEY, LocalS3.SECRET_KEY, "eu-west-1").listBuckets(), 400,
        "AuthorizationHeaderMalformed");
    try (LocalS3 skewed = LocalS3.withClockOffset(Duration.ofMinutes(20))) {
      assertSdkError(() -> skewed.client().listBuckets(), 403, "RequestTimeTooSkewed");
    }
  }

  @Test
  void anonymousRequestsAreDenied() {
    s3.putObject(b -> b.bucket(BUCKET).key("private.jpg"), RequestBody.fromString("secret"));

    HttpResponse<String> r = send(local.endpoint + "/" + BUCKET + "/private.jpg", "GET", null, Map.of());

    assertError(r, 403, "AccessDenied");
    assertThat(r.body()).contains("<Resource>/" + BUCKET + "/private.jpg</Resource>");
    String requestId = r.headers().firstValue("x-amz-request-id").orElseThrow();
    assertThat(r.body()).contains("<RequestId>" + requestId + "</RequestId>");
    assertError(send(local.endpoint + "/", "GET", null, Map.of()), 403, "AccessDenied");
  }

  @Test
  void bodyThatDoesNotMatchTheSignedPayloadHashIsRejected() {
    SignedRequest signed = sign("http", "/" + BUCKET + "/doc.txt", "original",
        p -> p.putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, true));
    assertThat(signed.request().firstMatchingHeader("x-amz-content-sha256")).get().asString().hasSize(64);

    assertError(sendSigned(signed, "forgery!".getBytes(UTF_8)), 400, "XAmzContentSHA256Mismatch");
    assertThat(sendSigned(signed, "original".getBytes(UTF_8)).statusCode()).isEqualTo(200);
    assertThat(local.stored(BUCKET, "doc.txt")).asString(UTF_8).isEqualTo("original");
  }

  @Test
  void signedAwsChunkedUploadsHaveEveryChunkVerified() {
    String text = "chunk ".repeat(30_000); // more than one 128 KiB chunk
    SignedRequest signed = sign("http", "/" + BUCKET + "/chunked.txt", text, p -> p
        .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, true)
        .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, true)
        .putProperty(AwsV4HttpSigner.CHECKSUM_ALGORITHM, DefaultChecksumAlgorithm.CRC32));
    byte[] encoded = bytes(signed.payload().orElseThrow());
    assertThat(signed.request().firstMatchingHeader("x-amz-content-sha256"))
        .hasValue("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");

    byte[] tampered = encoded.clone();
    tampered[200] ^= 1;
    assertError(sendSigned(signed, tampered), 403, "SignatureDoesNotMatch");
    HttpResponse<String> ok = sendSigned(signed, encoded);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("x-amz-checksum-crc32"))
        .hasValue(S3Emulator.checksum("crc32", text.getBytes(UTF_8)));
    assertThat(local.stored(BUCKET, "chunked.txt")).asString(UTF_8).isEqualTo(text);
  }

  @Test
  void unsignedAwsChunkedUploadsHaveTheirTrailingChecksumVerified() {
    // Over plain HTTP the SDK signer always signs chunks; signing for https yields the unsigned variant (same host).
    SignedRequest signed = sign("https", "/" + BUCKET + "/trailer.txt", "payload with a trailing checksum", p -> p
        .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
        .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, true)
        .putProperty(AwsV4HttpSigner.CHECKSUM_ALGORITHM, DefaultChecksumAlgorithm.SHA256));
    byte[] encoded = bytes(signed.payload().orElseThrow());
    assertThat(signed.request().firstMatchingHeader("x-amz-content-sha256"))
        .hasValue("STREAMING-UNSIGNED-PAYLOAD-TRAILER");

    byte[] tampered = encoded.clone();
    tampered[new String(encoded, UTF_8).indexOf("payload")] = 'P';
    assertError(sendSigned(signed, tampered), 400, "BadDigest");
    assertThat(sendSigned(signed, encoded).statusCode()).isEqualTo(200);
    assertThat(local.emulator.objectBytes(BUCKET, "trailer.txt")).isPresent();
  }

  @Test
  void chunkedTransferEncodingAndExpectContinueBodiesAreRead() throws Exception {
    byte[] data = S3ObjectApiTest.randomBytes(100_000, 5);
    String url = local.presigner().presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5))
        .putObjectRequest(o -> o.bucket(BUCKET).key("streamed.bin"))).url().toString();
    HttpRequest unknownLength = HttpRequest.newBuilder(URI.create(url)).expectContinue(true)
        .PUT(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(data))).build();

    assertThat(http.send(unknownLength, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    assertThat(local.stored(BUCKET, "streamed.bin")).isEqualTo(data);
  }

  @Test
  void listingsAreNamespacedS3XmlAndDatesAreHttpDates() {
    s3.putObject(b -> b.bucket(BUCKET).key("a&b <c>.txt"), RequestBody.fromString("x"));
    SignedRequest list = sign("http", "/" + BUCKET + "?list-type=2&prefix=a%26", null,
        p -> p.putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, true));

    HttpResponse<String> r = sendSigned(list, null);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-amz-request-id")).isPresent();
    assertThat(r.body()).contains("<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">")
        .contains("<Key>a&amp;b &lt;c&gt;.txt</Key>").contains("<KeyCount>1</KeyCount>")
        .contains("<Prefix>a&amp;</Prefix>");
    String httpDate = "[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT";
    PresignedGetObjectRequest get = local.presigner().presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(1))
        .getObjectRequest(g -> g.bucket(BUCKET).key("a&b <c>.txt")));
    HttpResponse<String> object = send(get.url().toString(), "GET", null, Map.of());
    assertThat(object.headers().firstValue("last-modified")).hasValueSatisfying(v -> assertThat(v).matches(httpDate));
    assertThat(object.headers().firstValue("date")).hasValueSatisfying(v -> assertThat(v).matches(httpDate));
  }

  private PresignedPutObjectRequest presignPut(String key, String contentType, long length) {
    return local.presigner().presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(10))
        .putObjectRequest(o -> o.bucket(BUCKET).key(key).contentType(contentType).contentLength(length)));
  }

  private SignedRequest sign(String scheme, String path, String body,
      Consumer<SignRequest.Builder<AwsCredentialsIdentity>> options) {
    SdkHttpRequest.Builder request = SdkHttpRequest.builder().uri(URI.create(local.endpoint + path)).protocol(scheme);
    if (body == null) request.method(SdkHttpMethod.GET);
    else request.method(SdkHttpMethod.PUT).putHeader("Content-Type", "text/plain")
        .putHeader("Content-Length", String.valueOf(body.getBytes(UTF_8).length));
    return AwsV4HttpSigner.create().sign(r -> {
      r.identity(AwsCredentialsIdentity.create(LocalS3.ACCESS_KEY, LocalS3.SECRET_KEY)).request(request.build())
          .payload(body == null ? null : ContentStreamProvider.fromUtf8String(body))
          .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
          .putProperty(AwsV4HttpSigner.REGION_NAME, LocalS3.REGION)
          .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false).putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false);
      options.accept(r);
    });
  }

  private HttpResponse<String> sendSigned(SignedRequest signed, byte[] body) {
    Map<String, String> headers = new java.util.HashMap<>();
    signed.request().forEachHeader((name, values) -> headers.put(name, values.getFirst()));
    return send(signed.request().copy(r -> r.protocol("http")).getUri().toString(), signed.request().method().name(),
        body, headers);
  }

  private HttpResponse<String> put(PresignedPutObjectRequest url, String body, String contentType) {
    return send(url.url().toString(), "PUT", body.getBytes(UTF_8), Map.of("Content-Type", contentType));
  }

  private HttpResponse<String> send(String url, String method, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
        .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
    headers.forEach((name, value) -> {
      if (!CLIENT_MANAGED.contains(name.toLowerCase())) b.header(name, value);
    });
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(ContentStreamProvider payload) {
    try (var in = payload.newStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertError(HttpResponse<String> r, int status, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/xml");
    assertThat(r.body()).contains("<Error>").contains("<Code>" + code + "</Code>").contains("<RequestId>");
    assertThat(r.headers().firstValue("x-amz-request-id")).isPresent();
  }

  private static void assertSdkError(Runnable call, int status, String code) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(S3Exception.class, e -> {
      assertThat(e.statusCode()).isEqualTo(status);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
    });
  }
}
