package ai.realstaging.local.s3;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
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
import java.util.LinkedHashSet;
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
  private static final Pattern BUCKET_NAME = Pattern.compile("(?!\\d+\\.\\d+\\.\\d+\\.\\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
  /** Sub-resources real S3 serves but this emulator does not; treating them as plain requests would mislead. */
  private static final Set<String> UNSUPPORTED = Set.of("acl", "accelerate", "analytics", "attributes", "cors",
      "encryption", "intelligent-tiering", "inventory", "legal-hold", "lifecycle", "logging", "metrics",
      "object-lock", "ownershipControls", "partNumber", "policy", "policyStatus", "publicAccessBlock", "replication",
      "requestPayment", "restore", "retention", "select", "session", "tagging", "torrent", "uploadId", "uploads",
      "versionId", "versioning", "versions", "website");
  private static final List<String> STORED_HEADERS = List.of("cache-control", "content-disposition", "content-encoding",
      "content-language", "content-type", "expires");
  private static final Set<String> CHECKSUMS = Set.of("crc32", "crc32c", "crc64nvme", "sha1", "sha256");
  /** S3 lists keys in UTF-8 byte order, which is code point order, not String's UTF-16 order. */
  private static final Comparator<String> UTF8_ORDER = (a, b) -> Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());

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

  /** One request: decoded bucket, key and query, headers by lowercase name, and the payload once decoded. */
  private static final class Request {
    String method, rawPath, bucket, key, requestId, hostId;
    Map<String, String> query = new LinkedHashMap<>();
    Map<String, List<String>> headers = new TreeMap<>();
    byte[] body;
    Map<String, String> checksums = new TreeMap<>();

    String header(String name) {
      List<String> v = headers.get(name);
      return v == null || v.isEmpty() ? null : String.join(",", v);
    }
  }

  private record Response(int status, Map<String, String> headers, byte[] body) {
    static Response empty(int status) {
      return new Response(status, new LinkedHashMap<>(), new byte[0]);
    }

    static Response xml(String xml) {
      Map<String, String> h = new LinkedHashMap<>();
      h.put("Content-Type", "application/xml");
      return new Response(200, h, xml.getBytes(UTF_8));
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

  /** Creates the bucket unless it exists; for seeding the local stack, so it is idempotent. */
  public void createBucket(String name) {
    if (!BUCKET_NAME.matcher(name).matches()) throw new IllegalArgumentException("invalid bucket name: " + name);
    buckets.computeIfAbsent(name, n -> new Bucket(n, now()));
  }

  public Optional<byte[]> objectBytes(String bucket, String key) {
    Bucket b = buckets.get(bucket);
    StoredObject o = b == null ? null : b.objects.get(key);
    return o == null ? Optional.empty() : Optional.of(o.data().clone());
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
      write(exchange, req, response);
    }
  }

  private Response serve(HttpExchange exchange, Request req) throws IOException {
    req.rawPath = exchange.getRequestURI().getRawPath() == null ? "/" : exchange.getRequestURI().getRawPath();
    String rawQuery = exchange.getRequestURI().getRawQuery();
    exchange.getRequestHeaders().forEach((name, values) ->
        req.headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).addAll(values));
    SigV4Verifier.parseQuery(rawQuery).forEach(p -> req.query.putIfAbsent(p[0], p[1]));
    String path = req.rawPath.startsWith("/") ? req.rawPath.substring(1) : req.rawPath;
    int slash = path.indexOf('/');
    String bucket = slash < 0 ? path : path.substring(0, slash);
    String key = slash < 0 ? "" : path.substring(slash + 1);
    req.bucket = bucket.isEmpty() ? null : SigV4Verifier.percentDecode(bucket, false);
    req.key = key.isEmpty() ? null : SigV4Verifier.percentDecode(key, false);

    // The body is read before authenticating so a rejected client still gets its error response, not a reset.
    long rawLimit = maxObjectBytes + maxObjectBytes / 64 + 65_536; // aws-chunked framing overhead
    String declared = req.header("content-length");
    if (declared != null && parseLong(declared) > rawLimit) throw tooLarge(parseLong(declared));
    byte[] raw = exchange.getRequestBody().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, rawLimit + 1));
    if (raw.length > rawLimit) throw tooLarge(raw.length);

    SigV4Verifier.Auth auth = verifier.verify(req.method, req.rawPath, rawQuery, req.headers);
    req.body = payload(req, auth, raw);
    return route(req);
  }

  private byte[] payload(Request req, SigV4Verifier.Auth auth, byte[] raw) {
    String hash = auth.payloadHash();
    byte[] body = raw;
    Map<String, String> claimed = new TreeMap<>();
    if (HEX_SHA256.matcher(hash).matches()) {
      String actual = SigV4Verifier.hex(SigV4Verifier.sha256(raw));
      if (!actual.equalsIgnoreCase(hash)) {
        throw new S3Error(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not "
            + "match what was computed.").with("ClientComputedContentSHA256", hash).with("S3ComputedContentSHA256", actual);
      }
    } else if (hash.startsWith("STREAMING-")) {
      AwsChunkedDecoder.Decoded decoded = AwsChunkedDecoder.decode(raw, auth);
      body = decoded.data();
      String decodedLength = req.header("x-amz-decoded-content-length");
      if (decodedLength != null && parseLong(decodedLength) != body.length) {
        throw new S3Error(400, "IncompleteBody", "You did not provide the number of bytes specified by the "
            + "x-amz-decoded-content-length HTTP header");
      }
      claimed.putAll(decoded.trailers());
    } else if (!hash.equals(SigV4Verifier.UNSIGNED_PAYLOAD)) {
      throw new S3Error(400, "InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value, "
          + "or a valid sha256 value.");
    }
    if (body.length > maxObjectBytes) throw tooLarge(body.length);
    req.headers.forEach((name, values) -> claimed.put(name, values.getFirst()));
    for (Map.Entry<String, String> c : claimed.entrySet()) {
      if (!c.getKey().startsWith("x-amz-checksum-")) continue;
      String algorithm = c.getKey().substring("x-amz-checksum-".length());
      if (!CHECKSUMS.contains(algorithm)) continue;
      if (!c.getValue().equals(checksum(algorithm, body))) {
        throw new S3Error(400, "BadDigest", "The " + algorithm.toUpperCase(Locale.ROOT)
            + " you specified did not match the calculated checksum.");
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
        throw new S3Error(501, "NotImplemented",
            "A header or query you provided implies functionality that is not implemented: ?" + param);
      }
    }
    Map<String, String> q = req.query;
    if (req.key == null) {
      return switch (req.method) {
        case "PUT" -> q.containsKey("notification") ? putNotification(req) : createBucket(req);
        case "GET" -> q.containsKey("notification") ? getNotification(req)
            : q.containsKey("location") ? location(req) : listObjects(req);
        case "HEAD" -> headBucket(req);
        case "DELETE" -> deleteBucket(req);
        case "POST" -> {
          if (q.containsKey("delete")) yield deleteObjects(req);
          throw new S3Error(501, "NotImplemented", "POST to a bucket is only implemented for ?delete");
        }
        default -> throw methodNotAllowed();
      };
    }
    if (req.key.getBytes(UTF_8).length > 1024) {
      throw new S3Error(400, "KeyTooLongError", "Your key is too long").with("Size", req.key.getBytes(UTF_8).length);
    }
    return switch (req.method) {
      case "PUT" -> req.header("x-amz-copy-source") != null ? copyObject(req) : putObject(req);
      case "GET", "HEAD" -> getObject(req);
      case "DELETE" -> deleteObject(req);
      default -> throw methodNotAllowed();
    };
  }

  private Response listBuckets() {
    S3Xml.Writer w = new S3Xml.Writer("ListAllMyBucketsResult").start("Owner").el("ID", OWNER_ID)
        .el("DisplayName", "local").end().start("Buckets");
    buckets.values().stream().sorted(Comparator.comparing(b -> b.name))
        .forEach(b -> w.start("Bucket").el("Name", b.name).el("CreationDate", S3Xml.iso(b.created)).end());
    return Response.xml(w.end().done());
  }

  private Response createBucket(Request req) {
    if (!BUCKET_NAME.matcher(req.bucket).matches()) {
      throw new S3Error(400, "InvalidBucketName", "The specified bucket is not valid.").with("BucketName", req.bucket);
    }
    if (buckets.putIfAbsent(req.bucket, new Bucket(req.bucket, now())) != null) {
      throw new S3Error(409, "BucketAlreadyOwnedByYou",
          "Your previous request to create the named bucket succeeded and you already own it.").with("BucketName", req.bucket);
    }
    Response r = Response.empty(200);
    r.headers().put("Location", "/" + req.bucket);
    return r;
  }

  private Response headBucket(Request req) {
    bucket(req.bucket);
    Response r = Response.empty(200);
    r.headers().put("x-amz-bucket-region", region);
    return r;
  }

  private Response location(Request req) {
    bucket(req.bucket);
    return Response.xml(new S3Xml.Writer("LocationConstraint").text(region.equals("us-east-1") ? "" : region).done());
  }

  private Response deleteBucket(Request req) {
    Bucket b = bucket(req.bucket);
    if (!b.objects.isEmpty()) {
      throw new S3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty").with("BucketName", b.name);
    }
    buckets.remove(b.name, b);
    return Response.empty(204);
  }

  private Response putNotification(Request req) {
    Bucket b = bucket(req.bucket);
    List<BucketNotifications.Rule> rules = BucketNotifications.parse(req.body);
    b.notifications = rules;
    String test = BucketNotifications.testEvent(b.name, now(), req.requestId, req.hostId);
    rules.stream().map(BucketNotifications.Rule::queueArn).distinct().forEach(queue -> deliver(queue, test));
    return Response.empty(200);
  }

  private Response getNotification(Request req) {
    return Response.xml(BucketNotifications.toXml(bucket(req.bucket).notifications));
  }

  /** ListObjectsV2 for list-type=2, else V1; continuation tokens name the last key or common prefix returned. */
  private Response listObjects(Request req) {
    Bucket b = bucket(req.bucket);
    Map<String, String> q = req.query;
    boolean v2 = "2".equals(q.get("list-type"));
    String prefix = q.getOrDefault("prefix", "");
    String delimiter = q.getOrDefault("delimiter", "");
    String encoding = q.get("encoding-type");
    if (encoding != null && !encoding.equals("url")) throw S3Error.invalidArgument("Invalid Encoding Method specified in Request");
    int maxKeys;
    try {
      maxKeys = Math.min(1000, Integer.parseInt(q.getOrDefault("max-keys", "1000")));
    } catch (NumberFormatException e) {
      maxKeys = -1;
    }
    if (maxKeys < 0) throw S3Error.invalidArgument("Provided max-keys not an integer or within integer range");
    String token = q.get("continuation-token");
    String after = v2 ? q.get("start-after") : q.get("marker");
    String skipPrefix = null;
    if (v2 && token != null) {
      String decoded;
      try {
        decoded = new String(Base64.getUrlDecoder().decode(token), UTF_8);
      } catch (IllegalArgumentException e) {
        decoded = "";
      }
      if (decoded.length() < 1 || "KP".indexOf(decoded.charAt(0)) < 0) {
        throw S3Error.invalidArgument("The continuation token provided is incorrect").with("ArgumentName", "continuation-token");
      }
      after = decoded.substring(1);
      if (decoded.charAt(0) == 'P') skipPrefix = after;
    }
    String start = after != null && UTF8_ORDER.compare(after, prefix) > 0 ? after : prefix;
    boolean inclusive = !start.equals(after);
    List<Map.Entry<String, StoredObject>> contents = new ArrayList<>();
    LinkedHashSet<String> prefixes = new LinkedHashSet<>();
    String last = null;
    String lastPrefix = skipPrefix;
    boolean truncated = false;
    for (Map.Entry<String, StoredObject> e : b.objects.tailMap(start, inclusive).entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(prefix)) break;
      int cut = delimiter.isEmpty() ? -1 : key.indexOf(delimiter, prefix.length());
      String commonPrefix = cut < 0 ? null : key.substring(0, cut + delimiter.length());
      if (commonPrefix != null && commonPrefix.equals(lastPrefix)) continue;
      if (contents.size() + prefixes.size() == maxKeys) {
        truncated = maxKeys > 0;
        break;
      }
      if (commonPrefix != null) {
        prefixes.add(commonPrefix);
        lastPrefix = commonPrefix;
        last = "P" + commonPrefix;
      } else {
        contents.add(e);
        last = "K" + key;
      }
    }
    boolean url = encoding != null;
    S3Xml.Writer w = new S3Xml.Writer("ListBucketResult").el("Name", b.name).el("Prefix", enc(prefix, url));
    if (v2) {
      w.el("StartAfter", enc(q.get("start-after"), url)).el("ContinuationToken", token)
          .el("NextContinuationToken", truncated ? Base64.getUrlEncoder().withoutPadding().encodeToString(last.getBytes(UTF_8)) : null)
          .el("KeyCount", contents.size() + prefixes.size());
    } else {
      w.el("Marker", enc(q.getOrDefault("marker", ""), url)).el("NextMarker", truncated ? enc(last.substring(1), url) : null);
    }
    w.el("MaxKeys", maxKeys).el("Delimiter", delimiter.isEmpty() ? null : enc(delimiter, url))
        .el("EncodingType", encoding).el("IsTruncated", truncated);
    boolean owner = !v2 || "true".equals(q.get("fetch-owner"));
    for (Map.Entry<String, StoredObject> e : contents) {
      StoredObject o = e.getValue();
      w.start("Contents").el("Key", enc(e.getKey(), url)).el("LastModified", S3Xml.iso(o.lastModified()))
          .el("ETag", quoted(o.etag())).el("Size", o.data().length).el("StorageClass", "STANDARD");
      o.checksums().keySet().forEach(a -> w.el("ChecksumAlgorithm", a.toUpperCase(Locale.ROOT)));
      if (owner) w.start("Owner").el("ID", OWNER_ID).el("DisplayName", "local").end();
      w.end();
    }
    prefixes.forEach(p -> w.start("CommonPrefixes").el("Prefix", enc(p, url)).end());
    return Response.xml(w.done());
  }

  private Response putObject(Request req) {
    Bucket b = bucket(req.bucket);
    StoredObject o = new StoredObject(req.body, HexFormat.of().formatHex(md5(req.body)), now(), storedHeaders(req),
        Map.copyOf(req.checksums));
    b.objects.put(req.key, o);
    notify(b, "ObjectCreated:Put", req.key, o, req);
    Response r = Response.empty(200);
    r.headers().put("ETag", quoted(o.etag()));
    o.checksums().forEach((a, v) -> r.headers().put("x-amz-checksum-" + a, v));
    return r;
  }

  private Response copyObject(Request req) {
    String source = req.header("x-amz-copy-source");
    int query = source.indexOf('?');
    source = SigV4Verifier.percentDecode(query < 0 ? source : source.substring(0, query), false);
    if (source.startsWith("/")) source = source.substring(1);
    int slash = source.indexOf('/');
    if (slash <= 0 || slash == source.length() - 1) {
      throw S3Error.invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
    }
    String sourceKey = source.substring(slash + 1);
    StoredObject from = object(bucket(source.substring(0, slash)), sourceKey);
    Bucket target = bucket(req.bucket);
    String directive = req.header("x-amz-metadata-directive") == null ? "COPY" : req.header("x-amz-metadata-directive");
    if (!directive.equals("COPY") && !directive.equals("REPLACE")) throw S3Error.invalidArgument("Unknown metadata directive.");
    if (directive.equals("COPY") && target.name.equals(source.substring(0, slash)) && req.key.equals(sourceKey)) {
      throw new S3Error(400, "InvalidRequest", "This copy request is illegal because it is trying to copy an object to "
          + "itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
    }
    StoredObject o = new StoredObject(from.data(), from.etag(), now(),
        directive.equals("REPLACE") ? storedHeaders(req) : from.headers(), from.checksums());
    target.objects.put(req.key, o);
    notify(target, "ObjectCreated:Copy", req.key, o, req);
    return Response.xml(new S3Xml.Writer("CopyObjectResult").el("LastModified", S3Xml.iso(o.lastModified()))
        .el("ETag", quoted(o.etag())).done());
  }

  private Response getObject(Request req) {
    StoredObject o = object(bucket(req.bucket), req.key);
    String etag = quoted(o.etag());
    String ifMatch = req.header("if-match");
    if (ifMatch != null && !ifMatch.equals("*") && !Arrays.asList(ifMatch.split("\\s*,\\s*")).contains(etag)) {
      throw new S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
          .with("Condition", "If-Match");
    }
    String ifNoneMatch = req.header("if-none-match");
    Response r;
    if (ifNoneMatch != null && (ifNoneMatch.equals("*") || Arrays.asList(ifNoneMatch.split("\\s*,\\s*")).contains(etag))) {
      r = Response.empty(304);
    } else {
      long[] range = range(req.header("range"), o.data().length);
      if (range == null) {
        r = new Response(200, new LinkedHashMap<>(), o.data());
        if ("ENABLED".equalsIgnoreCase(req.header("x-amz-checksum-mode"))) {
          o.checksums().forEach((a, v) -> r.headers().put("x-amz-checksum-" + a, v));
        }
      } else {
        r = new Response(206, new LinkedHashMap<>(), Arrays.copyOfRange(o.data(), (int) range[0], (int) range[1] + 1));
        r.headers().put("Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + o.data().length);
      }
      o.headers().forEach(r.headers()::put);
      for (String name : STORED_HEADERS) {
        String override = req.query.get("response-" + name);
        if (override != null) r.headers().put(name, override);
      }
    }
    r.headers().put("ETag", etag);
    r.headers().put("Last-Modified", S3Xml.httpDate(o.lastModified()));
    r.headers().put("Accept-Ranges", "bytes");
    return r;
  }

  /** Inclusive byte range, or null to serve the whole object (S3 ignores ranges it cannot parse). */
  private static long[] range(String header, long size) {
    Matcher m = header == null ? null : RANGE.matcher(header.strip());
    if (m == null || !m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) return null;
    S3Error unsatisfiable = new S3Error(416, "InvalidRange", "The requested range is not satisfiable")
        .with("RangeRequested", header).with("ActualObjectSize", size);
    if (m.group(1).isEmpty()) {
      long suffix = parseLong(m.group(2));
      if (suffix == 0 || size == 0) throw unsatisfiable;
      return new long[] {Math.max(0, size - suffix), size - 1};
    }
    long start = parseLong(m.group(1));
    if (start >= size) throw unsatisfiable;
    long end = m.group(2).isEmpty() ? size - 1 : Math.min(parseLong(m.group(2)), size - 1);
    return end < start ? null : new long[] {start, end};
  }

  private Response deleteObject(Request req) {
    Bucket b = bucket(req.bucket);
    if (b.objects.remove(req.key) != null) notify(b, "ObjectRemoved:Delete", req.key, null, req);
    return Response.empty(204);
  }

  private Response deleteObjects(Request req) {
    Bucket b = bucket(req.bucket);
    var root = S3Xml.parse(req.body);
    var objects = S3Xml.children(root, "Object");
    if (!S3Xml.name(root).equals("Delete") || objects.isEmpty() || objects.size() > 1000) throw S3Error.malformedXml();
    List<String> keys = objects.stream().map(o -> S3Xml.text(o, "Key")).toList();
    if (keys.contains(null)) throw S3Error.malformedXml();
    boolean quiet = "true".equalsIgnoreCase(S3Xml.text(root, "Quiet"));
    S3Xml.Writer w = new S3Xml.Writer("DeleteResult");
    for (String key : keys) {
      if (b.objects.remove(key) != null) notify(b, "ObjectRemoved:Delete", key, null, req);
      if (!quiet) w.start("Deleted").el("Key", key).end();
    }
    return Response.xml(w.done());
  }

  private Map<String, String> storedHeaders(Request req) {
    Map<String, String> h = new TreeMap<>();
    for (String name : STORED_HEADERS) {
      String v = req.header(name);
      if (v != null && name.equals("content-encoding")) {
        // aws-chunked describes the upload framing, not the object.
        v = String.join(",", Arrays.stream(v.split("\\s*,\\s*")).filter(e -> !e.equalsIgnoreCase("aws-chunked")).toList());
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
    Instant time = clock.instant();
    String sequence = String.format("%016X", sequencer.incrementAndGet());
    for (BucketNotifications.Rule rule : rules) {
      if (!rule.matches(eventName, key)) continue;
      deliver(rule.queueArn(), BucketNotifications.event(region, eventName, time, b.name, key,
          o == null ? null : (long) o.data().length, o == null ? null : o.etag(), sequence, rule.id(),
          req.requestId, req.hostId));
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
    if (b == null) throw new S3Error(404, "NoSuchBucket", "The specified bucket does not exist").with("BucketName", name);
    return b;
  }

  private static StoredObject object(Bucket b, String key) {
    StoredObject o = b.objects.get(key);
    if (o == null) throw new S3Error(404, "NoSuchKey", "The specified key does not exist.").with("Key", key);
    return o;
  }

  private Response error(S3Error e, String resource, Request req) {
    Map<String, String> h = new LinkedHashMap<>();
    if (req.method.equals("HEAD")) return new Response(e.status, h, new byte[0]); // HEAD errors carry no body
    h.put("Content-Type", "application/xml");
    return new Response(e.status, h, S3Xml.error(e, resource, req.requestId).getBytes(UTF_8));
  }

  private static void write(HttpExchange exchange, Request req, Response r) throws IOException {
    var out = exchange.getResponseHeaders();
    out.set("x-amz-request-id", req.requestId);
    out.set("x-amz-id-2", req.hostId);
    out.set("Server", "AmazonS3");
    r.headers().forEach(out::set);
    boolean head = req.method.equals("HEAD");
    if (head && r.status() != 304) out.set("Content-Length", Long.toString(r.body().length));
    // The JDK server takes -1 as "no body" (Content-Length: 0); 0 would mean chunked.
    exchange.sendResponseHeaders(r.status(), head || r.body().length == 0 ? -1 : r.body().length);
    if (!head && r.body().length > 0) {
      try (OutputStream body = exchange.getResponseBody()) {
        body.write(r.body());
      }
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static S3Error methodNotAllowed() {
    return new S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  }

  private S3Error tooLarge(long size) {
    return new S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
        .with("ProposedSize", size).with("MaxSizeAllowed", maxObjectBytes);
  }

  private static String enc(String s, boolean url) {
    return s == null || !url ? s : BucketNotifications.encodeKey(s);
  }

  private static String quoted(String etag) {
    return "\"" + etag + "\"";
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE; // only ever compared against limits, where "unreadable" must mean "too big"
    }
  }

  private static byte[] md5(byte[] data) {
    try {
      return MessageDigest.getInstance("MD5").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Base64 of the big-endian checksum, as the x-amz-checksum-* headers carry it. */
  static String checksum(String algorithm, byte[] data) {
    byte[] value = switch (algorithm) {
      case "crc32", "crc32c" -> {
        Checksum c = algorithm.equals("crc32") ? new CRC32() : new CRC32C();
        c.update(data, 0, data.length);
        yield ByteBuffer.allocate(4).putInt((int) c.getValue()).array();
      }
      case "crc64nvme" -> ByteBuffer.allocate(8).putLong(crc64Nvme(data)).array();
      case "sha1", "sha256" -> {
        try {
          yield MessageDigest.getInstance(algorithm.equals("sha1") ? "SHA-1" : "SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
      }
      default -> throw new IllegalArgumentException(algorithm);
    };
    return Base64.getEncoder().encodeToString(value);
  }

  /** CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5), which the JDK lacks. */
  static long crc64Nvme(byte[] data) {
    long crc = -1L;
    for (byte b : data) crc = CRC64_TABLE[(int) ((crc ^ b) & 0xff)] ^ (crc >>> 8);
    return ~crc;
  }

  private static final long[] CRC64_TABLE = new long[256];

  static {
    for (int n = 0; n < 256; n++) {
      long c = n;
      for (int i = 0; i < 8; i++) c = (c >>> 1) ^ (0x9A6C9329AC4BC9B5L & -(c & 1));
      CRC64_TABLE[n] = c;
    }
  }
}
