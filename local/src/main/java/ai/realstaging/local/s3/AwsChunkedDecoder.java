package ai.realstaging.local.s3;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Removes aws-chunked framing from SigV4 streaming uploads, checking chunk and trailer signatures when signed. */
final class AwsChunkedDecoder {
  record Decoded(byte[] data, Map<String, String> trailers) {}

  private AwsChunkedDecoder() {}

  /** Frames: {@code <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;...]\r\n[<name>:<value>\r\n]*\r\n}. */
  static Decoded decode(byte[] raw, SigV4Verifier.Auth auth) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
    String previous = auth.seedSignature();
    int pos = 0;
    while (true) {
      int eol = lineEnd(raw, pos);
      if (eol < 0) throw incomplete();
      String header = new String(raw, pos, eol - pos, US_ASCII);
      pos = eol + 2;
      int semi = header.indexOf(';');
      int size;
      try {
        size = Integer.parseInt((semi < 0 ? header : header.substring(0, semi)).strip(), 16);
      } catch (NumberFormatException e) {
        throw incomplete();
      }
      if (size < 0 || raw.length - pos < size) throw incomplete();
      if (auth.signedChunks()) {
        String given = semi < 0 ? "" : header.substring(semi + 1).strip();
        given = given.startsWith("chunk-signature=") ? given.substring("chunk-signature=".length()) : "";
        previous = requireSignature(auth.chunkSignature(previous, raw, pos, size), given);
      }
      out.write(raw, pos, size);
      pos += size;
      if (size == 0) break;
      if (lineEnd(raw, pos) != pos) throw incomplete();
      pos += 2;
    }
    Map<String, String> trailers = new LinkedHashMap<>();
    StringBuilder canonical = new StringBuilder();
    String trailerSignature = null;
    while (pos < raw.length) {
      int eol = lineEnd(raw, pos);
      if (eol < 0) eol = raw.length;
      String line = new String(raw, pos, eol - pos, UTF_8);
      pos = Math.min(eol + 2, raw.length);
      if (line.isEmpty()) break;
      int colon = line.indexOf(':');
      if (colon <= 0) throw incomplete();
      String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).strip();
      if (name.equals("x-amz-trailer-signature")) {
        trailerSignature = value;
      } else {
        trailers.put(name, value);
        canonical.append(name).append(':').append(value).append('\n');
      }
    }
    if (auth.signedChunks() && auth.payloadHash().endsWith("-TRAILER")) {
      requireSignature(auth.trailerSignature(previous, canonical.toString()), trailerSignature == null ? "" : trailerSignature);
    }
    return new Decoded(out.toByteArray(), trailers);
  }

  private static String requireSignature(String expected, String given) {
    if (!MessageDigest.isEqual(expected.getBytes(US_ASCII), given.toLowerCase(Locale.ROOT).getBytes(US_ASCII))) {
      throw new S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
          + "signature you provided (aws-chunked chunk or trailer signature).").with("SignatureProvided", given);
    }
    return expected;
  }

  private static int lineEnd(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') return i;
    }
    return -1;
  }

  private static S3Error incomplete() {
    return new S3Error(400, "IncompleteBody", "The request body is not valid aws-chunked encoding.");
  }
}
