package ai.realstaging.local.s3;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Recomputes AWS Signature Version 4 of S3 requests (Authorization header or presigned URL); rejects mismatches. */
final class SigV4Verifier {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
  private static final String EMPTY_SHA256 = hex(sha256(new byte[0]));
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final Duration MAX_SKEW = Duration.ofMinutes(15);

  /** What a verified request was signed with; aws-chunked bodies chain their chunk signatures from it. */
  record Auth(String payloadHash, String amzDate, String scope, byte[] signingKey, String seedSignature) {
    boolean signedChunks() {
      return payloadHash.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
    }

    String chunkSignature(String previous, byte[] chunk) {
      return hex(hmac(signingKey, String.join("\n", ALGORITHM + "-PAYLOAD", amzDate, scope, previous, EMPTY_SHA256,
          hex(sha256(chunk)))));
    }

    String trailerSignature(String previous, String canonicalTrailers) {
      return hex(hmac(signingKey, String.join("\n", ALGORITHM + "-TRAILER", amzDate, scope, previous,
          hex(sha256(canonicalTrailers.getBytes(UTF_8))))));
    }
  }

  private final String region;
  private final String accessKeyId;
  private final String secretAccessKey;
  private final Clock clock;

  SigV4Verifier(String region, String accessKeyId, String secretAccessKey, Clock clock) {
    this.region = region;
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
    this.clock = clock;
  }

  /** Headers keyed by lowercase name with every value as received; the query as received (still encoded). */
  Auth verify(String method, String rawPath, String rawQuery, Map<String, List<String>> headers) {
    List<String[]> query = parseQuery(rawQuery);
    Map<String, String> q = new LinkedHashMap<>();
    query.forEach(p -> q.putIfAbsent(p[0], p[1]));
    String authorization = first(headers, "authorization");
    boolean presigned = q.containsKey("X-Amz-Signature");
    if (authorization == null && !presigned) throw new S3Error(403, "AccessDenied", "Access Denied");
    String malformed = presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed";
    String credential, signedHeaders, signature, amzDate, payloadHash;
    if (presigned) {
      if (!ALGORITHM.equals(q.get("X-Amz-Algorithm"))) {
        throw new S3Error(400, malformed, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
      }
      credential = q.get("X-Amz-Credential");
      signedHeaders = q.get("X-Amz-SignedHeaders");
      signature = q.get("X-Amz-Signature");
      amzDate = q.get("X-Amz-Date");
      payloadHash = q.getOrDefault("X-Amz-Content-Sha256",
          Objects.requireNonNullElse(first(headers, "x-amz-content-sha256"), UNSIGNED_PAYLOAD));
    } else {
      if (!authorization.startsWith(ALGORITHM + " ")) {
        throw new S3Error(400, "InvalidRequest",
            "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
      }
      Map<String, String> parts = new LinkedHashMap<>();
      for (String part : authorization.substring(ALGORITHM.length() + 1).split(",")) {
        String[] kv = part.strip().split("=", 2);
        if (kv.length == 2) parts.put(kv[0], kv[1]);
      }
      credential = parts.get("Credential");
      signedHeaders = parts.get("SignedHeaders");
      signature = parts.get("Signature");
      amzDate = first(headers, "x-amz-date");
      payloadHash = first(headers, "x-amz-content-sha256");
      if (payloadHash == null) {
        throw new S3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
      }
    }
    if (credential == null || signedHeaders == null || signature == null) {
      throw new S3Error(400, malformed, "The request must carry Credential, SignedHeaders and Signature.");
    }
    Instant time = parseAmzDate(amzDate);
    if (time == null) {
      throw new S3Error(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
    }
    Instant now = clock.instant();
    if (presigned) {
      long expires = parseExpires(q.get("X-Amz-Expires"));
      if (expires < 0) throw new S3Error(400, malformed, "X-Amz-Expires must be between 0 and 604800 seconds");
      if (now.isAfter(time.plusSeconds(expires))) {
        throw new S3Error(403, "AccessDenied", "Request has expired").with("X-Amz-Expires", expires)
            .with("Expires", S3Xml.iso(time.plusSeconds(expires))).with("ServerTime", S3Xml.iso(now));
      }
    } else if (Duration.between(time, now).abs().compareTo(MAX_SKEW) > 0) {
      throw new S3Error(403, "RequestTimeTooSkewed",
          "The difference between the request time and the current time is too large.")
          .with("RequestTime", amzDate).with("ServerTime", S3Xml.iso(now));
    }
    String scope = checkCredential(credential, amzDate, malformed);
    return check(method, rawPath, query, presigned, headers, signedHeaders, payloadHash, amzDate, scope, signature);
  }

  private String checkCredential(String credential, String amzDate, String malformed) {
    String[] c = credential.split("/");
    if (c.length != 5) throw new S3Error(400, malformed, "Credential must be <AKID>/YYYYMMDD/REGION/s3/aws4_request");
    if (!c[0].equals(accessKeyId)) {
      throw new S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
          .with("AWSAccessKeyId", c[0]);
    }
    if (!c[1].equals(amzDate.substring(0, 8))) {
      throw new S3Error(400, malformed, "Invalid credential date. Date is not the same as X-Amz-Date.");
    }
    if (!c[2].equals(region)) {
      throw new S3Error(400, malformed, "the region '" + c[2] + "' is wrong; expecting '" + region + "'")
          .with("Region", region);
    }
    if (!c[3].equals("s3") || !c[4].equals("aws4_request")) {
      throw new S3Error(400, malformed, "The credential scope must end in s3/aws4_request.");
    }
    return String.join("/", Arrays.copyOfRange(c, 1, 5));
  }

  private Auth check(String method, String rawPath, List<String[]> query, boolean presigned,
      Map<String, List<String>> headers, String signedHeaders, String payloadHash, String amzDate, String scope,
      String signature) {
    List<String> signed = List.of(signedHeaders.toLowerCase().split(";"));
    if (!signed.contains("host")) throw new S3Error(403, "AccessDenied", "The host header must be signed");
    // An unsigned x-amz-* header could change what the request does without the signer's consent.
    List<String> unsigned = headers.keySet().stream()
        .filter(h -> h.startsWith("x-amz-") && !signed.contains(h))
        .filter(h -> !(presigned && h.equals("x-amz-content-sha256"))).toList();
    if (!unsigned.isEmpty()) {
      throw new S3Error(403, "AccessDenied", "There were headers present in the request which were not signed")
          .with("HeadersNotSigned", String.join(", ", unsigned));
    }
    StringBuilder canonicalHeaders = new StringBuilder();
    for (String name : signed) {
      List<String> values = headers.getOrDefault(name, List.of());
      canonicalHeaders.append(name).append(':')
          .append(String.join(",", values.stream().map(v -> v.strip().replaceAll("\\s+", " ")).toList())).append('\n');
    }
    String canonicalQuery = query.stream()
        .filter(p -> !(presigned && p[0].equals("X-Amz-Signature")))
        .map(p -> new String[] {uriEncode(p[0]), uriEncode(p[1])})
        .sorted(Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]))
        .map(p -> p[0] + "=" + p[1]).collect(Collectors.joining("&"));
    String canonicalRequest = String.join("\n", method, canonicalUri(rawPath), canonicalQuery, canonicalHeaders,
        String.join(";", signed), payloadHash);
    String stringToSign = String.join("\n", ALGORITHM, amzDate, scope, hex(sha256(canonicalRequest.getBytes(UTF_8))));
    byte[] dateKey = hmac(("AWS4" + secretAccessKey).getBytes(UTF_8), amzDate.substring(0, 8));
    byte[] key = hmac(hmac(hmac(dateKey, region), "s3"), "aws4_request");
    String expected = hex(hmac(key, stringToSign));
    if (!MessageDigest.isEqual(expected.getBytes(UTF_8), signature.toLowerCase().getBytes(UTF_8))) {
      throw new S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
          + "signature you provided. Check your key and signing method.").with("AWSAccessKeyId", accessKeyId)
          .with("StringToSign", stringToSign).with("SignatureProvided", signature)
          .with("CanonicalRequest", canonicalRequest);
    }
    return new Auth(payloadHash, amzDate, scope, key, expected);
  }

  /** S3 signs the path as sent, not double-encoded; decoding then re-encoding each segment normalises it. */
  static String canonicalUri(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) return "/";
    return Arrays.stream(rawPath.split("/", -1)).map(s -> uriEncode(percentDecode(s, false)))
        .collect(Collectors.joining("/"));
  }

  /** Decoded name/value pairs in request order; a name without '=' has an empty value. */
  static List<String[]> parseQuery(String rawQuery) {
    List<String[]> out = new ArrayList<>();
    for (String pair : rawQuery == null ? new String[0] : rawQuery.split("&")) {
      if (pair.isEmpty()) continue;
      String[] kv = pair.split("=", 2);
      out.add(new String[] {percentDecode(kv[0], true), kv.length == 2 ? percentDecode(kv[1], true) : ""});
    }
    return out;
  }

  /** RFC 3986: everything but unreserved characters percent-encoded, as SigV4 requires. */
  static String uriEncode(String s) {
    return URLEncoder.encode(s, UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
  }

  /** '+' means space only in query strings; in a path it is a literal plus. */
  static String percentDecode(String s, boolean plusIsSpace) {
    try {
      return URLDecoder.decode(plusIsSpace ? s : s.replace("+", "%2B"), UTF_8);
    } catch (IllegalArgumentException e) {
      throw new S3Error(400, "InvalidURI", "Couldn't parse the specified URI.");
    }
  }

  private static long parseExpires(String s) {
    try {
      long v = Long.parseLong(s);
      return v <= 604_800 ? v : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Instant parseAmzDate(String s) {
    try {
      return s == null ? null : Instant.from(AMZ_DATE.parse(s));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String first(Map<String, List<String>> headers, String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.getFirst();
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
