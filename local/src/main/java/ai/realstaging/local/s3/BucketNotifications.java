package ai.realstaging.local.s3;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.w3c.dom.Element;

/** Bucket notification configuration (SQS queue destinations) and the S3 event messages delivered to them. */
final class BucketNotifications {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern EVENT = Pattern.compile("s3:[A-Za-z]+(:[A-Za-z]+)*(:\\*)?");

  /** One QueueConfiguration; events are patterns such as {@code s3:ObjectCreated:*}. */
  record Rule(String id, String queueArn, List<String> events, String prefix, String suffix) {
    boolean matches(String eventName, String key) {
      String full = "s3:" + eventName;
      boolean event = events.stream().anyMatch(p -> p.equals(full)
          || (p.endsWith(":*") && full.startsWith(p.substring(0, p.length() - 1))));
      return event && key.startsWith(prefix) && key.endsWith(suffix);
    }
  }

  private BucketNotifications() {}

  static List<Rule> parse(byte[] body) {
    if (new String(body, UTF_8).isBlank()) return List.of();
    Element root = S3Xml.parse(body);
    if (!S3Xml.name(root).equals("NotificationConfiguration")) throw S3Error.malformedXml();
    List<Rule> rules = new ArrayList<>();
    for (Element destination : S3Xml.children(root, null)) {
      switch (S3Xml.name(destination)) {
        case "QueueConfiguration" -> rules.add(rule(destination));
        case "TopicConfiguration", "LambdaFunctionConfiguration", "CloudFunctionConfiguration",
             "EventBridgeConfiguration" ->
            throw new S3Error(501, "NotImplemented", "The local S3 emulator delivers notifications to SQS queues only");
        default -> throw S3Error.malformedXml();
      }
    }
    return List.copyOf(rules);
  }

  private static Rule rule(Element config) {
    String id = S3Xml.text(config, "Id");
    String queue = S3Xml.text(config, "Queue");
    if (queue == null || !queue.startsWith("arn:")) {
      throw S3Error.invalidArgument("Unable to validate the following destination configurations")
          .with("ArgumentName", queue);
    }
    List<String> events = S3Xml.children(config, "Event").stream().map(e -> e.getTextContent().strip()).toList();
    if (events.isEmpty()) throw S3Error.malformedXml();
    for (String event : events) {
      if (!EVENT.matcher(event).matches()) {
        throw S3Error.invalidArgument("The event is not supported for notifications").with("ArgumentName", event);
      }
    }
    String prefix = null;
    String suffix = null;
    Element filter = S3Xml.child(config, "Filter");
    Element s3Key = filter == null ? null : S3Xml.child(filter, "S3Key");
    for (Element rule : s3Key == null ? List.<Element>of() : S3Xml.children(s3Key, "FilterRule")) {
      String name = String.valueOf(S3Xml.text(rule, "Name")).toLowerCase(Locale.ROOT);
      String value = S3Xml.text(rule, "Value") == null ? "" : S3Xml.text(rule, "Value");
      if (name.equals("prefix") && prefix == null) prefix = value;
      else if (name.equals("suffix") && suffix == null) suffix = value;
      else throw S3Error.invalidArgument("FilterRule names must be prefix or suffix, each at most once");
    }
    return new Rule(id == null || id.isEmpty() ? UUID.randomUUID().toString() : id, queue, events,
        prefix == null ? "" : prefix, suffix == null ? "" : suffix);
  }

  static String toXml(List<Rule> rules) {
    S3Xml.Writer w = new S3Xml.Writer("NotificationConfiguration");
    for (Rule r : rules) {
      w.start("QueueConfiguration").el("Id", r.id()).el("Queue", r.queueArn());
      r.events().forEach(e -> w.el("Event", e));
      if (!r.prefix().isEmpty() || !r.suffix().isEmpty()) {
        w.start("Filter").start("S3Key");
        if (!r.prefix().isEmpty()) w.start("FilterRule").el("Name", "Prefix").el("Value", r.prefix()).end();
        if (!r.suffix().isEmpty()) w.start("FilterRule").el("Name", "Suffix").el("Value", r.suffix()).end();
        w.end().end();
      }
      w.end();
    }
    return w.done();
  }

  /** The message S3 sends each destination when a configuration is written. */
  static String testEvent(String bucket, Instant time, String requestId, String hostId) {
    ObjectNode n = JSON.createObjectNode().put("Service", "Amazon S3").put("Event", "s3:TestEvent")
        .put("Time", S3Xml.iso(time)).put("Bucket", bucket).put("RequestId", requestId).put("HostId", hostId);
    return n.toString();
  }

  /** An event notification, version 2.1; size and eTag only for created objects. */
  static String event(String region, String eventName, Instant time, String bucket, String key, Long size, String eTag,
      String sequencer, String configurationId, String requestId, String hostId) {
    ObjectNode record = JSON.createObjectNode().put("eventVersion", "2.1").put("eventSource", "aws:s3")
        .put("awsRegion", region).put("eventTime", S3Xml.iso(time)).put("eventName", eventName);
    record.putObject("userIdentity").put("principalId", "AWS:LOCAL");
    record.putObject("requestParameters").put("sourceIPAddress", "127.0.0.1");
    record.putObject("responseElements").put("x-amz-request-id", requestId).put("x-amz-id-2", hostId);
    ObjectNode s3 = record.putObject("s3").put("s3SchemaVersion", "1.0").put("configurationId", configurationId);
    ObjectNode b = s3.putObject("bucket").put("name", bucket);
    b.putObject("ownerIdentity").put("principalId", "LOCAL");
    b.put("arn", "arn:aws:s3:::" + bucket);
    ObjectNode object = s3.putObject("object").put("key", encodeKey(key));
    if (size != null) object.put("size", size).put("eTag", eTag);
    object.put("sequencer", sequencer);
    ObjectNode root = JSON.createObjectNode();
    root.putArray("Records").add(record);
    return root.toString();
  }

  /** Form encoding as S3 does it in events and encoding-type=url listings: space is '+', but '/' stays. */
  static String encodeKey(String key) {
    return URLEncoder.encode(key, UTF_8).replace("%2F", "/");
  }
}
