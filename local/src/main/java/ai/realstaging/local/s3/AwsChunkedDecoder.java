package ai.realstaging.local.s3;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Removes aws-chunked framing from SigV4 streaming uploads, checking chunk and trailer signatures if signed. */
final class AwsChunkedDecoder {
  record Decoded(byte[] data, Map<String, String> trailers) {}

  private AwsChunkedDecoder() {}

  /** Frames: {@code <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;...]\r\n[<name>:<value>\r\n]*\r\n}. */
  static Decoded decode(byte[] raw, SigV4Verifier.Auth auth) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
    String previous = auth.seedSignature();
    int pos = 0;
    int size;
    do {
      int eol = lineEnd(raw, pos);
      if (eol < 0) throw malformed();
      String[] header = new String(raw, pos, eol - pos, UTF_8).split(";", 2);
      try {
        size = Integer.parseInt(header[0].strip(), 16);
      } catch (NumberFormatException e) {
        throw malformed();
      }
      pos = eol + 2;
      if (size < 0 || raw.length - pos < size) throw malformed();
      byte[] chunk = Arrays.copyOfRange(raw, pos, pos + size);
      if (auth.signedChunks()) {
        String given = header.length == 2 ? header[1].strip().replaceFirst("^chunk-signature=", "") : "";
        previous = requireSignature(auth.chunkSignature(previous, chunk), given);
      }
      out.writeBytes(chunk);
      pos += size;
      if (size > 0 && lineEnd(raw, pos) != pos) throw malformed();
      if (size > 0) pos += 2;
    } while (size > 0);

    Map<String, String> trailers = new LinkedHashMap<>();
    StringBuilder canonical = new StringBuilder();
    String trailerSignature = "";
    while (pos < raw.length) {
      int eol = lineEnd(raw, pos);
      String line = new String(raw, pos, (eol < 0 ? raw.length : eol) - pos, UTF_8);
      pos = eol < 0 ? raw.length : eol + 2;
      if (line.isEmpty()) break;
      String[] kv = line.split(":", 2);
      if (kv.length != 2) throw malformed();
      String name = kv[0].strip().toLowerCase(Locale.ROOT);
      if (name.equals("x-amz-trailer-signature")) {
        trailerSignature = kv[1].strip();
      } else {
        trailers.put(name, kv[1].strip());
        canonical.append(name).append(':').append(kv[1].strip()).append('\n');
      }
    }
    if (auth.signedChunks() && auth.payloadHash().endsWith("-TRAILER")) {
      requireSignature(auth.trailerSignature(previous, canonical.toString()), trailerSignature);
    }
    return new Decoded(out.toByteArray(), trailers);
  }

  private static String requireSignature(String expected, String given) {
    if (!MessageDigest.isEqual(expected.getBytes(UTF_8), given.toLowerCase(Locale.ROOT).getBytes(UTF_8))) {
      throw new S3Error(403, "SignatureDoesNotMatch", "The aws-chunked chunk or trailer signature does not match the "
          + "signature we calculated.").with("SignatureProvided", given);
    }
    return expected;
  }

  private static int lineEnd(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') return i;
    }
    return -1;
  }

  private static S3Error malformed() {
    return new S3Error(400, "IncompleteBody", "The request body is not valid aws-chunked encoding.");
  }
}
