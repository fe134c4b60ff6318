package ai.realstaging.local.s3;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
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
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Recomputes AWS Signature Version 4 for S3 requests (Authorization header and presigned URL) and rejects mismatches. */
final class SigV4Verifier {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
  static final String EMPTY_SHA256 = hex(sha256(new byte[0]));
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final Duration MAX_SKEW = Duration.ofMinutes(15);
  private static final long MAX_EXPIRES_SECONDS = 604_800;

  /** What a verified request was signed with; aws-chunked bodies chain their chunk signatures from it. */
  record Auth(String payloadHash, String amzDate, String scope, byte[] signingKey, String seedSignature) {
    boolean signedChunks() {
      return payloadHash.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
    }

    String chunkSignature(String previous, byte[] data, int offset, int length) {
      MessageDigest d = digest();
      d.update(data, offset, length);
      return sign(signingKey, String.join("\n", ALGORITHM + "-PAYLOAD", amzDate, scope, previous, EMPTY_SHA256,
          hex(d.digest())));
    }

    String trailerSignature(String previous, String canonicalTrailers) {
      return sign(signingKey, String.join("\n", ALGORITHM + "-TRAILER", amzDate, scope, previous,
          hex(sha256(canonicalTrailers.getBytes(UTF_8)))));
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

  /** Headers must be keyed by lowercase name with every value as received; the query is the raw (encoded) one. */
  Auth verify(String method, String rawPath, String rawQuery, Map<String, List<String>> headers) {
    List<String[]> query = parseQuery(rawQuery);
    Map<String, String> params = new LinkedHashMap<>();
    query.forEach(p -> params.putIfAbsent(p[0], p[1]));
    String authorization = first(headers, "authorization");
    boolean presigned = params.containsKey("X-Amz-Algorithm") || params.containsKey("X-Amz-Signature");
    if (authorization == null && !presigned) throw new S3Error(403, "AccessDenied", "Access Denied");
    if (authorization != null && presigned) {
      throw S3Error.invalidArgument("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter "
          + "or the Authorization header should be specified");
    }
    return presigned ? verifyQuery(method, rawPath, query, params, headers) : verifyHeader(method, rawPath, query, headers, authorization);
  }

  private Auth verifyHeader(String method, String rawPath, List<String[]> query, Map<String, List<String>> headers,
      String authorization) {
    if (!authorization.startsWith(ALGORITHM + " ")) {
      throw new S3Error(400, "InvalidRequest",
          "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
    }
    Map<String, String> parts = new LinkedHashMap<>();
    for (String part : authorization.substring(ALGORITHM.length() + 1).split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) parts.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
    }
    String credential = parts.get("Credential");
    String signedHeaders = parts.get("SignedHeaders");
    String signature = parts.get("Signature");
    if (credential == null || signedHeaders == null || signature == null) {
      throw new S3Error(400, "AuthorizationHeaderMalformed",
          "The authorization header is malformed; it must contain Credential, SignedHeaders and Signature.");
    }
    String amzDate = first(headers, "x-amz-date");
    Instant time = parseAmzDate(amzDate);
    if (time == null) {
      throw new S3Error(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
    }
    String payloadHash = first(headers, "x-amz-content-sha256");
    if (payloadHash == null) {
      throw new S3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
    }
    Instant now = clock.instant();
    if (Duration.between(time, now).abs().compareTo(MAX_SKEW) > 0) {
      throw new S3Error(403, "RequestTimeTooSkewed",
          "The difference between the request time and the current time is too large.")
          .with("RequestTime", amzDate).with("ServerTime", S3Xml.iso(now)).with("MaxAllowedSkewMilliseconds", 900000);
    }
    String scope = checkCredential(credential, amzDate, "AuthorizationHeaderMalformed");
    return check(method, rawPath, query, false, headers, signedHeaders, payloadHash, amzDate, scope, signature);
  }

  private Auth verifyQuery(String method, String rawPath, List<String[]> query, Map<String, String> params,
      Map<String, List<String>> headers) {
    String error = "AuthorizationQueryParametersError";
    if (!ALGORITHM.equals(params.get("X-Amz-Algorithm"))) {
      throw new S3Error(400, error, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
    }
    for (String required : List.of("X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature")) {
      if (params.get(required) == null || params.get(required).isEmpty()) {
        throw new S3Error(400, error, "Query-string authentication version 4 requires the X-Amz-Algorithm, "
            + "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
      }
    }
    String amzDate = params.get("X-Amz-Date");
    Instant time = parseAmzDate(amzDate);
    if (time == null) throw new S3Error(400, error, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
    long expires;
    try {
      expires = Long.parseLong(params.get("X-Amz-Expires"));
    } catch (NumberFormatException e) {
      expires = -1;
    }
    if (expires < 0 || expires > MAX_EXPIRES_SECONDS) {
      throw new S3Error(400, error, "X-Amz-Expires must be non-negative and less than a week (604800 seconds)");
    }
    String scope = checkCredential(params.get("X-Amz-Credential"), amzDate, error);
    Instant now = clock.instant();
    if (now.isAfter(time.plusSeconds(expires))) {
      throw new S3Error(403, "AccessDenied", "Request has expired").with("X-Amz-Expires", expires)
          .with("Expires", S3Xml.iso(time.plusSeconds(expires))).with("ServerTime", S3Xml.iso(now));
    }
    if (time.isAfter(now.plus(MAX_SKEW))) throw new S3Error(403, "AccessDenied", "Request is not valid yet");
    String payloadHash = params.get("X-Amz-Content-Sha256");
    if (payloadHash == null) payloadHash = first(headers, "x-amz-content-sha256");
    if (payloadHash == null) payloadHash = UNSIGNED_PAYLOAD;
    return check(method, rawPath, query, true, headers, params.get("X-Amz-SignedHeaders"), payloadHash, amzDate, scope,
        params.get("X-Amz-Signature"));
  }

  /** Returns the credential scope after checking key id, date, region and service. */
  private String checkCredential(String credential, String amzDate, String malformedCode) {
    String[] c = credential.split("/");
    if (c.length != 5) throw new S3Error(400, malformedCode, "The credential is malformed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
    if (!c[0].equals(accessKeyId)) {
      throw new S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
          .with("AWSAccessKeyId", c[0]);
    }
    if (!c[1].equals(amzDate.substring(0, 8))) {
      throw new S3Error(400, malformedCode, "Invalid credential date. Date is not the same as X-Amz-Date.");
    }
    if (!c[2].equals(region)) {
      throw new S3Error(400, malformedCode, "the region '" + c[2] + "' is wrong; expecting '" + region + "'")
          .with("Region", region);
    }
    if (!c[3].equals("s3") || !c[4].equals("aws4_request")) {
      throw new S3Error(400, malformedCode, "The credential scope must end with s3/aws4_request");
    }
    return String.join("/", c[1], c[2], c[3], c[4]);
  }

  private Auth check(String method, String rawPath, List<String[]> query, boolean presigned,
      Map<String, List<String>> headers, String signedHeaders, String payloadHash, String amzDate, String scope,
      String signature) {
    List<String> signed = Arrays.asList(signedHeaders.toLowerCase().split(";"));
    if (!signed.contains("host")) throw new S3Error(403, "AccessDenied", "The host header must be signed");
    // An unsigned x-amz-* header could change what the request does without the signer's consent.
    List<String> unsigned = headers.keySet().stream()
        .filter(h -> h.startsWith("x-amz-") && !signed.contains(h) && !(presigned && h.equals("x-amz-content-sha256")))
        .sorted().toList();
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
    String canonicalRequest = String.join("\n", method, canonicalUri(rawPath), canonicalQuery(query, presigned),
        canonicalHeaders.toString(), String.join(";", signed), payloadHash);
    String stringToSign = String.join("\n", ALGORITHM, amzDate, scope, hex(sha256(canonicalRequest.getBytes(UTF_8))));
    byte[] key = signingKey(amzDate.substring(0, 8));
    String expected = sign(key, stringToSign);
    if (!MessageDigest.isEqual(expected.getBytes(UTF_8), signature.toLowerCase().getBytes(UTF_8))) {
      throw new S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
          + "signature you provided. Check your key and signing method.")
          .with("AWSAccessKeyId", accessKeyId).with("StringToSign", stringToSign)
          .with("SignatureProvided", signature).with("CanonicalRequest", canonicalRequest);
    }
    return new Auth(payloadHash, amzDate, scope, key, expected);
  }

  private byte[] signingKey(String date) {
    byte[] k = hmac(("AWS4" + secretAccessKey).getBytes(UTF_8), date);
    return hmac(hmac(hmac(k, region), "s3"), "aws4_request");
  }

  /** S3 signs the path as sent, not double-encoded; decoding then re-encoding each segment normalises it. */
  static String canonicalUri(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) return "/";
    StringBuilder b = new StringBuilder();
    String[] segments = rawPath.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) b.append('/');
      b.append(uriEncode(percentDecode(segments[i], false)));
    }
    return b.toString();
  }

  private static String canonicalQuery(List<String[]> query, boolean presigned) {
    return query.stream()
        .filter(p -> !(presigned && p[0].equals("X-Amz-Signature")))
        .map(p -> new String[] {uriEncode(p[0]), uriEncode(p[1])})
        .sorted(Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]))
        .map(p -> p[0] + "=" + p[1])
        .collect(Collectors.joining("&"));
  }

  /** Decoded name/value pairs in request order; a name without '=' has an empty value. */
  static List<String[]> parseQuery(String rawQuery) {
    List<String[]> out = new ArrayList<>();
    if (rawQuery == null || rawQuery.isEmpty()) return out;
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      out.add(new String[] {percentDecode(name, true), percentDecode(value, true)});
    }
    return out;
  }

  /** RFC 3986 percent-encoding of everything but the unreserved set, as SigV4 requires. */
  static String uriEncode(String s) {
    StringBuilder b = new StringBuilder(s.length() * 2);
    for (byte x : s.getBytes(UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
          || c == '_' || c == '~') {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return b.toString();
  }

  /** Percent-decoding to UTF-8; '+' means space only in query strings, in paths it is a literal plus. */
  static String percentDecode(String s, boolean plusIsSpace) {
    if (s.indexOf('%') < 0 && (!plusIsSpace || s.indexOf('+') < 0)) return s;
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    byte[] in = s.getBytes(UTF_8);
    for (int i = 0; i < in.length; i++) {
      byte c = in[i];
      if (c == '%') {
        int hi = i + 2 < in.length ? Character.digit(in[i + 1], 16) : -1;
        int lo = hi >= 0 ? Character.digit(in[i + 2], 16) : -1;
        if (lo < 0) throw new S3Error(400, "InvalidURI", "Couldn't parse the specified URI.");
        out.write(hi << 4 | lo);
        i += 2;
      } else {
        out.write(plusIsSpace && c == '+' ? ' ' : c);
      }
    }
    return out.toString(UTF_8);
  }

  private static Instant parseAmzDate(String s) {
    if (s == null) return null;
    try {
      return Instant.from(AMZ_DATE.parse(s));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String first(Map<String, List<String>> headers, String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.getFirst();
  }

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] sha256(byte[] data) {
    return digest().digest(data);
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static String sign(byte[] key, String stringToSign) {
    return hex(hmac(key, stringToSign));
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
