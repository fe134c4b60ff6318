package ai.realstaging.local.s3;

import java.util.LinkedHashMap;
import java.util.Map;

/** An S3 error response (status, code, message, extra XML elements) raised anywhere while serving a request. */
final class S3Error extends RuntimeException {
  final int status;
  final String code;
  final Map<String, String> details = new LinkedHashMap<>();

  S3Error(int status, String code, String message) {
    super(message, null, false, false); // control flow, not a bug: no stack trace
    this.status = status;
    this.code = code;
  }

  S3Error with(String element, Object value) {
    details.put(element, String.valueOf(value));
    return this;
  }

  static S3Error malformedXml() {
    return new S3Error(400, "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema");
  }

  static S3Error invalidArgument(String message) {
    return new S3Error(400, "InvalidArgument", message);
  }
}
