package ai.realstaging.local.s3;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/** In-JVM S3: buckets and objects in memory, SigV4-checked, with bucket notifications. */
public final class S3Emulator implements HttpHandler {
  private static final System.Logger LOG = System.getLogger(S3Emulator.class.getName());
  static final long MAX_OBJECT_BYTES = 64L << 20;
  private static final String OWNER_ID = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";
  private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d{0,18})-(\\d{0,18})");
  /** Sub-resources S3 has and this emulator lacks; serving them as plain GETs or PUTs would silently mislead. */
  private static final Set<String> UNSUPPORTED = Set.of("acl", "accelerate", "analytics", "attributes", "cors",
      "encryption", "intelligent-tiering", "inventory", "legal-hold", "lifecycle", "location", "logging", "metrics",
      "object-lock", "ownershipControls", "partNumber", "policy", "policyStatus", "publicAccessBlock", "replication",
      "requestPayment", "restore", "retention", "select", "session", "tagging", "torrent", "uploadId", "uploads",
      "versionId", "versioning", "versions", "website");
  private static final List<String> STORED_HEADERS = List.of("cache-control", "content-disposition",
      "content-encoding", "content-language", "content-type", "expires");
  /** S3 lists keys in UTF-8 byte order, which is code point order rather than String's UTF-16 order. */
  private static final Comparator<String> UTF8_ORDER =
      (a, b) -> Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());

  private record StoredObject(byte[] data, String etag, Instant lastModified, Map<String, String> headers,
      Map<String, String> checksums) {}

  private static final class Bucket {
    final String name;
    final Instant created;
    final ConcurrentSkipListMap<String, StoredObject> objects = new ConcurrentSkipListMap<>(UTF8_ORDER);
    volatile List<BucketNotifications.Rule> notifications = List.of();

    Bucket(String name, Instant created) {
      this.name = name;
      this.created = created;
    }
  }

  private static final class Request {
    String method, bucket, key, requestId, hostId;
    final Map<String, String> query = new LinkedHashMap<>();
    final Map<String, List<String>> headers = new TreeMap<>(); // lowercase names
    byte[] body;
    final Map<String, String> checksums = new TreeMap<>();

    String header(String name) {
      List<String> v = headers.get(name);
      return v == null ? null : String.join(",", v);
    }
  }

  private record Response(int status, Map<String, String> headers, byte[] body) {
    Response(int status) {
      this(status, new LinkedHashMap<>(), new byte[0]);
    }

    static Response xml(int status, String xml) {
      Response r = new Response(status, new LinkedHashMap<>(), xml.getBytes(UTF_8));
      r.headers.put("Content-Type", "application/xml");
      return r;
    }
  }

  private final String region;
  private final SigV4Verifier verifier;
  private final NotificationSink sink;
  private final Clock clock;
  private final long maxObjectBytes;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final AtomicLong sequencer = new AtomicLong(System.currentTimeMillis() << 16);

  public S3Emulator(String region, String accessKeyId, String secretAccessKey, NotificationSink sink) {
    this(region, accessKeyId, secretAccessKey, sink, Clock.systemUTC(), MAX_OBJECT_BYTES);
  }

  S3Emulator(String region, String accessKeyId, String secretAccessKey, NotificationSink sink, Clock clock,
      long maxObjectBytes) {
    this.region = region;
    this.verifier = new SigV4Verifier(region, accessKeyId, secretAccessKey, clock);
    this.sink = sink;
    this.clock = clock;
    this.maxObjectBytes = maxObjectBytes;
  }

  /** Idempotent, unlike the wire operation, so the local stack can seed buckets on every start. */
  public void createBucket(String name) {
    if (!BUCKET_NAME.matcher(name).matches()) throw new IllegalArgumentException("invalid bucket name: " + name);
    buckets.computeIfAbsent(name, n -> new Bucket(n, now()));
  }

  public Optional<byte[]> objectBytes(String bucket, String key) {
    Bucket b = buckets.get(bucket);
    return Optional.ofNullable(b == null ? null : b.objects.get(key)).map(o -> o.data().clone());
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    Request req = new Request();
    req.requestId = HexFormat.of().withUpperCase().toHexDigits(ThreadLocalRandom.current().nextLong());
    byte[] id2 = new byte[48];
    ThreadLocalRandom.current().nextBytes(id2);
    req.hostId = Base64.getEncoder().encodeToString(id2);
    req.method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    try (exchange) {
      Response response;
      try {
        response = serve(exchange, req);
      } catch (S3Error e) {
        response = error(e, exchange.getRequestURI().getRawPath(), req);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "S3 emulator failed on " + req.method + " " + exchange.getRequestURI(), e);
        response = error(new S3Error(500, "InternalError", "We encountered an internal error. Please try again."),
            exchange.getRequestURI().getRawPath(), req);
      }
      var out = exchange.getResponseHeaders();
      out.set("x-amz-request-id", req.requestId);
      out.set("x-amz-id-2", req.hostId);
      out.set("Server", "AmazonS3");
      response.headers().forEach(out::set);
      boolean head = req.method.equals("HEAD");
      if (head) out.set("Content-Length", Long.toString(response.body().length));
      // The JDK server reads -1 as "no body" and sends Content-Length: 0; 0 would mean chunked.
      int length = response.body().length;
      exchange.sendResponseHeaders(response.status(), head || length == 0 ? -1 : length);
      if (!head) exchange.getResponseBody().write(response.body());
    }
  }

  private Response serve(HttpExchange exchange, Request req) throws IOException {
    String rawPath = Optional.ofNullable(exchange.getRequestURI().getRawPath()).orElse("/");
    String rawQuery = exchange.getRequestURI().getRawQuery();
    exchange.getRequestHeaders().forEach((name, values) ->
        req.headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).addAll(values));
    SigV4Verifier.parseQuery(rawQuery).forEach(p -> req.query.putIfAbsent(p[0], p[1]));
    String[] path = rawPath.replaceFirst("^/", "").split("/", 2);
    req.bucket = path[0].isEmpty() ? null : SigV4Verifier.percentDecode(path[0], false);
    req.key = path.length < 2 || path[1].isEmpty() ? null : SigV4Verifier.percentDecode(path[1], false);

    // Read the body before authenticating, so a rejected client still gets the error instead of a reset connection.
    long rawLimit = maxObjectBytes + maxObjectBytes / 64 + 65_536; // room for aws-chunked framing
    String declared = req.header("content-length");
    if (declared != null && parseLong(declared) > rawLimit) throw tooLarge(parseLong(declared));
    byte[] raw = exchange.getRequestBody().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, rawLimit + 1));
    if (raw.length > rawLimit) throw tooLarge(raw.length);

    SigV4Verifier.Auth auth = verifier.verify(req.method, rawPath, rawQuery, req.headers);
    req.body = payload(req, auth, raw);
    return route(req);
  }

  private byte[] payload(Request req, SigV4Verifier.Auth auth, byte[] raw) {
    String hash = auth.payloadHash();
    byte[] body = raw;
    Map<String, String> claims = new TreeMap<>();
    if (HEX_SHA256.matcher(hash).matches()) {
      String actual = SigV4Verifier.hex(SigV4Verifier.sha256(raw));
      if (!actual.equalsIgnoreCase(hash)) {
        throw new S3Error(400, "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.")
            .with("ClientComputedContentSHA256", hash).with("S3ComputedContentSHA256", actual);
      }
    } else if (hash.startsWith("STREAMING-")) {
      AwsChunkedDecoder.Decoded decoded = AwsChunkedDecoder.decode(raw, auth);
      body = decoded.data();
      String decodedLength = req.header("x-amz-decoded-content-length");
      if (decodedLength != null && parseLong(decodedLength) != body.length) {
        throw new S3Error(400, "IncompleteBody", "The body does not have x-amz-decoded-content-length bytes.");
      }
      claims.putAll(decoded.trailers());
    } else if (!hash.equals(SigV4Verifier.UNSIGNED_PAYLOAD)) {
      throw S3Error.invalidArgument("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-* or a SHA-256 hash.");
    }
    if (body.length > maxObjectBytes) throw tooLarge(body.length);
    req.headers.forEach((name, values) -> claims.put(name, values.getFirst()));
    for (Map.Entry<String, String> c : claims.entrySet()) {
      String algorithm = c.getKey().replaceFirst("^x-amz-checksum-", "");
      if (algorithm.equals(c.getKey()) || Set.of("mode", "type", "algorithm").contains(algorithm)) continue;
      String actual = checksum(algorithm, body);
      if (actual != null && !actual.equals(c.getValue())) {
        throw new S3Error(400, "BadDigest",
            "The " + algorithm.toUpperCase(Locale.ROOT) + " you specified did not match the calculated checksum.");
      }
      req.checksums.put(algorithm, c.getValue());
    }
    String md5 = req.header("content-md5");
    if (md5 != null && !md5.equals(Base64.getEncoder().encodeToString(md5(body)))) {
      throw new S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
    }
    return body;
  }

  private Response route(Request req) {
    if (req.bucket == null) {
      if (req.method.equals("GET")) return listBuckets();
      throw methodNotAllowed();
    }
    for (String param : req.query.keySet()) {
      if (UNSUPPORTED.contains(param)) {
        throw new S3Error(501, "NotImplemented", "The local S3 emulator does not implement ?" + param);
      }
    }
    boolean notification = req.query.containsKey("notification");
    if (req.key == null) {
      return switch (req.method) {
        case "PUT" -> notification ? putNotification(req) : createBucket(req);
        case "GET" -> notification
            ? Response.xml(200, BucketNotifications.toXml(bucket(req.bucket).notifications)) : listObjects(req);
        case "HEAD" -> headBucket(req);
        case "DELETE" -> deleteBucket(req);
        case "POST" -> {
          if (req.query.containsKey("delete")) yield deleteObjects(req);
          throw new S3Error(501, "NotImplemented", "POST to a bucket is only implemented for ?delete");
        }
        default -> throw methodNotAllowed();
      };
    }
    return switch (req.method) {
      case "PUT" -> req.header("x-amz-copy-source") != null ? copyObject(req) : putObject(req);
      case "GET", "HEAD" -> getObject(req);
      case "DELETE" -> deleteObject(req);
      default -> throw methodNotAllowed();
    };
  }

  private Response listBuckets() {
    S3Xml.Writer w = new S3Xml.Writer("ListAllMyBucketsResult")
        .start("Owner").el("ID", OWNER_ID).el("DisplayName", "local").end().start("Buckets");
    buckets.values().stream().sorted(Comparator.comparing(b -> b.name))
        .forEach(b -> w.start("Bucket").el("Name", b.name).el("CreationDate", S3Xml.iso(b.created)).end());
    return Response.xml(200, w.done());
  }

  private Response createBucket(Request req) {
    if (!BUCKET_NAME.matcher(req.bucket).matches()) {
      throw new S3Error(400, "InvalidBucketName", "The specified bucket is not valid.").with("BucketName", req.bucket);
    }
    if (buckets.putIfAbsent(req.bucket, new Bucket(req.bucket, now())) != null) {
      throw new S3Error(409, "BucketAlreadyOwnedByYou",
          "Your previous request to create the named bucket succeeded and you already own it.");
    }
    Response r = new Response(200);
    r.headers().put("Location", "/" + req.bucket);
    return r;
  }

  private Response headBucket(Request req) {
    bucket(req.bucket);
    Response r = new Response(200);
    r.headers().put("x-amz-bucket-region", region);
    return r;
  }

  private Response deleteBucket(Request req) {
    Bucket b = bucket(req.bucket);
    if (!b.objects.isEmpty()) throw new S3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty");
    buckets.remove(b.name, b);
    return new Response(204);
  }

  private Response putNotification(Request req) {
    Bucket b = bucket(req.bucket);
    b.notifications = BucketNotifications.parse(req.body);
    String test = BucketNotifications.testEvent(b.name, now(), req.requestId, req.hostId);
    b.notifications.stream().map(BucketNotifications.Rule::queueArn).distinct().forEach(queue -> deliver(queue, test));
    return new Response(200);
  }

  /** ListObjectsV2 (list-type=2) or V1; a continuation token is the last key or common prefix returned, encoded. */
  private Response listObjects(Request req) {
    Bucket b = bucket(req.bucket);
    Map<String, String> q = req.query;
    boolean v2 = "2".equals(q.get("list-type"));
    String prefix = q.getOrDefault("prefix", "");
    String delimiter = q.getOrDefault("delimiter", "");
    String encoding = q.get("encoding-type");
    if (encoding != null && !encoding.equals("url")) throw S3Error.invalidArgument("Invalid Encoding Method");
    int maxKeys = (int) Math.min(1000, parseLong(q.getOrDefault("max-keys", "1000")));
    if (maxKeys < 0) throw S3Error.invalidArgument("Provided max-keys not an integer or within integer range");
    String token = q.get("continuation-token");
    String after = v2 ? q.get("start-after") : q.get("marker");
    if (v2 && token != null) {
      try {
        after = new String(Base64.getUrlDecoder().decode(token), UTF_8);
      } catch (IllegalArgumentException e) {
        throw S3Error.invalidArgument("The continuation token provided is incorrect");
      }
    }
    String lastPrefix = null;
    boolean fromPrefix = after == null || UTF8_ORDER.compare(after, prefix) < 0;
    List<Map.Entry<String, StoredObject>> contents = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    String next = null;
    boolean truncated = false;
    for (var e : b.objects.tailMap(fromPrefix ? prefix : after, fromPrefix).entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(prefix)) break; // keys sharing a prefix are contiguous in sort order
      int cut = delimiter.isEmpty() ? -1 : key.indexOf(delimiter, prefix.length());
      String common = cut < 0 ? null : key.substring(0, cut + delimiter.length());
      // A common prefix at or before the marker was returned on an earlier page.
      if (common != null && (common.equals(lastPrefix) || (after != null && UTF8_ORDER.compare(common, after) <= 0))) {
        continue;
      }
      if (contents.size() + prefixes.size() == maxKeys) {
        truncated = maxKeys > 0;
        break;
      }
      if (common != null) prefixes.add(lastPrefix = common);
      else contents.add(e);
      next = common != null ? common : key;
    }
    boolean url = encoding != null;
    S3Xml.Writer w = new S3Xml.Writer("ListBucketResult").el("Name", b.name).el("Prefix", enc(prefix, url));
    if (v2) {
      String nextToken = truncated ? Base64.getUrlEncoder().encodeToString(next.getBytes(UTF_8)) : null;
      w.el("StartAfter", enc(q.get("start-after"), url)).el("ContinuationToken", token)
          .el("NextContinuationToken", nextToken).el("KeyCount", contents.size() + prefixes.size());
    } else {
      w.el("Marker", enc(q.getOrDefault("marker", ""), url))
          .el("NextMarker", truncated ? enc(next, url) : null);
    }
    w.el("MaxKeys", maxKeys).el("Delimiter", delimiter.isEmpty() ? null : enc(delimiter, url))
        .el("EncodingType", encoding).el("IsTruncated", truncated);
    for (var e : contents) {
      StoredObject o = e.getValue();
      w.start("Contents").el("Key", enc(e.getKey(), url)).el("LastModified", S3Xml.iso(o.lastModified()))
          .el("ETag", quoted(o.etag())).el("Size", o.data().length).el("StorageClass", "STANDARD");
      o.checksums().keySet().forEach(a -> w.el("ChecksumAlgorithm", a.toUpperCase(Locale.ROOT)));
      if (!v2 || "true".equals(q.get("fetch-owner"))) {
        w.start("Owner").el("ID", OWNER_ID).el("DisplayName", "local").end();
      }
      w.end();
    }
    prefixes.forEach(p -> w.start("CommonPrefixes").el("Prefix", enc(p, url)).end());
    return Response.xml(200, w.done());
  }

  private Response putObject(Request req) {
    Bucket b = bucket(req.bucket);
    StoredObject o = new StoredObject(req.body, HexFormat.of().formatHex(md5(req.body)), now(), storedHeaders(req),
        Map.copyOf(req.checksums));
    // Conditional write: "If-None-Match: *" creates the object only if the key is free.
    if ("*".equals(req.header("if-none-match"))) {
      if (b.objects.putIfAbsent(req.key, o) != null) {
        throw new S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
      }
    } else {
      b.objects.put(req.key, o);
    }
    notify(b, "ObjectCreated:Put", req.key, o, req);
    Response r = new Response(200);
    r.headers().put("ETag", quoted(o.etag()));
    o.checksums().forEach((a, v) -> r.headers().put("x-amz-checksum-" + a, v));
    return r;
  }

  private Response copyObject(Request req) {
    String source = req.header("x-amz-copy-source").split("\\?", 2)[0]; // a ?versionId=... has no meaning here
    String[] from = SigV4Verifier.percentDecode(source, false).replaceFirst("^/", "").split("/", 2);
    if (from.length < 2 || from[0].isEmpty() || from[1].isEmpty()) {
      throw S3Error.invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
    }
    StoredObject original = object(bucket(from[0]), from[1]);
    Bucket target = bucket(req.bucket);
    String directive = Optional.ofNullable(req.header("x-amz-metadata-directive")).orElse("COPY");
    if (!Set.of("COPY", "REPLACE").contains(directive)) throw S3Error.invalidArgument("Unknown metadata directive.");
    if (directive.equals("COPY") && target.name.equals(from[0]) && req.key.equals(from[1])) {
      throw new S3Error(400, "InvalidRequest", "This copy request is illegal because it is trying to copy an object "
          + "to itself without changing the object's metadata, storage class, website redirect location or "
          + "encryption attributes.");
    }
    StoredObject o = new StoredObject(original.data(), original.etag(), now(),
        directive.equals("REPLACE") ? storedHeaders(req) : original.headers(), original.checksums());
    target.objects.put(req.key, o);
    notify(target, "ObjectCreated:Copy", req.key, o, req);
    return Response.xml(200, new S3Xml.Writer("CopyObjectResult").el("LastModified", S3Xml.iso(o.lastModified()))
        .el("ETag", quoted(o.etag())).done());
  }

  private Response getObject(Request req) {
    StoredObject o = object(bucket(req.bucket), req.key);
    long[] range = range(req.header("range"), o.data().length);
    Response r;
    if (range == null) {
      r = new Response(200, new LinkedHashMap<>(), o.data());
      // Whole-object checksums only; the SDK validates them when it asked with checksum mode.
      if ("ENABLED".equalsIgnoreCase(req.header("x-amz-checksum-mode"))) {
        o.checksums().forEach((a, v) -> r.headers().put("x-amz-checksum-" + a, v));
      }
    } else {
      r = new Response(206, new LinkedHashMap<>(), Arrays.copyOfRange(o.data(), (int) range[0], (int) range[1] + 1));
      r.headers().put("Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + o.data().length);
    }
    r.headers().putAll(o.headers());
    for (String name : STORED_HEADERS) {
      String override = req.query.get("response-" + name);
      if (override != null) r.headers().put(name, override);
    }
    r.headers().put("ETag", quoted(o.etag()));
    r.headers().put("Last-Modified", S3Xml.httpDate(o.lastModified()));
    r.headers().put("Accept-Ranges", "bytes");
    return r;
  }

  /** Inclusive byte range, or null for the whole object (S3 ignores ranges it cannot parse). */
  private static long[] range(String header, long size) {
    Matcher m = RANGE.matcher(header == null ? "" : header.strip());
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) return null;
    long start;
    long end = size - 1;
    if (m.group(1).isEmpty()) { // bytes=-n: the last n bytes
      long n = Long.parseLong(m.group(2));
      start = n == 0 ? size : Math.max(0, size - n);
    } else {
      start = Long.parseLong(m.group(1));
      if (!m.group(2).isEmpty()) end = Math.min(Long.parseLong(m.group(2)), size - 1);
    }
    if (start >= size) {
      throw new S3Error(416, "InvalidRange", "The requested range is not satisfiable")
          .with("RangeRequested", header).with("ActualObjectSize", size);
    }
    return end < start ? null : new long[] {start, end};
  }

  private Response deleteObject(Request req) {
    Bucket b = bucket(req.bucket);
    if (b.objects.remove(req.key) != null) notify(b, "ObjectRemoved:Delete", req.key, null, req);
    return new Response(204);
  }

  private Response deleteObjects(Request req) {
    Bucket b = bucket(req.bucket);
    var root = S3Xml.parse(req.body);
    List<String> keys = S3Xml.children(root, "Object").stream().map(o -> S3Xml.text(o, "Key")).toList();
    if (!S3Xml.name(root).equals("Delete") || keys.isEmpty() || keys.size() > 1000 || keys.contains(null)) {
      throw S3Error.malformedXml();
    }
    boolean quiet = "true".equalsIgnoreCase(S3Xml.text(root, "Quiet"));
    S3Xml.Writer w = new S3Xml.Writer("DeleteResult");
    for (String key : keys) {
      if (b.objects.remove(key) != null) notify(b, "ObjectRemoved:Delete", key, null, req);
      if (!quiet) w.start("Deleted").el("Key", key).end();
    }
    return Response.xml(200, w.done());
  }

  private static Map<String, String> storedHeaders(Request req) {
    Map<String, String> h = new TreeMap<>();
    for (String name : STORED_HEADERS) {
      String v = req.header(name);
      // aws-chunked describes the upload's framing, not the object.
      if (v != null && name.equals("content-encoding")) {
        v = v.replaceAll("(?i)\\s*aws-chunked\\s*,?", "").replaceFirst(",\\s*$", "");
      }
      if (v != null && !v.isEmpty()) h.put(name, v);
    }
    req.headers.forEach((name, values) -> {
      if (name.startsWith("x-amz-meta-")) h.put(name, String.join(",", values));
    });
    h.putIfAbsent("content-type", "binary/octet-stream");
    return Map.copyOf(h);
  }

  private void notify(Bucket b, String eventName, String key, StoredObject o, Request req) {
    List<BucketNotifications.Rule> rules = b.notifications;
    if (rules.isEmpty()) return;
    String sequence = String.format("%016X", sequencer.incrementAndGet());
    for (BucketNotifications.Rule rule : rules) {
      if (rule.matches(eventName, key)) {
        deliver(rule.queueArn(), BucketNotifications.event(region, eventName, now(), b.name, key,
            o == null ? null : (long) o.data().length, o == null ? null : o.etag(), sequence, rule.id(),
            req.requestId, req.hostId));
      }
    }
  }

  /** A failing destination must not fail the request that caused the event, as in S3. */
  private void deliver(String queueArn, String body) {
    try {
      sink.deliver(queueArn, body);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "S3 notification to " + queueArn + " failed", e);
    }
  }

  private Bucket bucket(String name) {
    Bucket b = buckets.get(name);
    if (b == null) {
      throw new S3Error(404, "NoSuchBucket", "The specified bucket does not exist").with("BucketName", name);
    }
    return b;
  }

  private static StoredObject object(Bucket b, String key) {
    StoredObject o = b.objects.get(key);
    if (o == null) throw new S3Error(404, "NoSuchKey", "The specified key does not exist.").with("Key", key);
    return o;
  }

  private static Response error(S3Error e, String resource, Request req) {
    if (req.method.equals("HEAD")) return new Response(e.status);
    return Response.xml(e.status, S3Xml.error(e, resource, req.requestId));
  }

  private static S3Error methodNotAllowed() {
    return new S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  }

  private S3Error tooLarge(long size) {
    return new S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
        .with("ProposedSize", size).with("MaxSizeAllowed", maxObjectBytes);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static String enc(String s, boolean url) {
    return s == null || !url ? s : BucketNotifications.encodeKey(s);
  }

  private static String quoted(String etag) {
    return "\"" + etag + "\"";
  }

  /** Only ever compared with limits, where an unreadable number must count as too big. */
  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static byte[] md5(byte[] data) {
    try {
      return MessageDigest.getInstance("MD5").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Base64 of the big-endian checksum, as x-amz-checksum-* carries it; null if the JDK lacks it (CRC64NVME). */
  static String checksum(String algorithm, byte[] data) {
    byte[] value;
    try {
      value = switch (algorithm) {
        case "crc32", "crc32c" -> {
          Checksum crc = algorithm.equals("crc32") ? new CRC32() : new CRC32C();
          crc.update(data, 0, data.length);
          yield ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
        }
        case "sha1" -> MessageDigest.getInstance("SHA-1").digest(data);
        case "sha256" -> MessageDigest.getInstance("SHA-256").digest(data);
        default -> null;
      };
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return value == null ? null : Base64.getEncoder().encodeToString(value);
  }
}
