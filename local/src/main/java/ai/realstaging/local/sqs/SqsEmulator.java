package ai.realstaging.local.sqs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** In-JVM SQS speaking the JSON protocol: queues, visibility timeouts, receive counts, redrive to a DLQ. */
public final class SqsEmulator implements HttpHandler {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET_PREFIX = "AmazonSQS.";
    private static final Pattern NAME_OR_BATCH_ID = Pattern.compile("[A-Za-z0-9_-]{1,80}");
    /** SQS's attribute-name rules: no leading, trailing or doubled dots, and no AWS-reserved prefix. */
    private static final Pattern ATTRIBUTE_NAME =
            Pattern.compile("(?!\\.)(?!.*\\.\\.)(?!.*\\.$)(?!(?i:aws|amazon)\\.)[A-Za-z0-9_.-]{1,256}");
    private static final Pattern NUMBER = Pattern.compile("\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?\\s*");
    /** XML 1.0's characters, the only ones SQS accepts in a body. */
    private static final Pattern BODY_CHARS =
            Pattern.compile("[\\x09\\x0A\\x0D\\x20-\\x{D7FF}\\x{E000}-\\x{FFFD}\\x{10000}-\\x{10FFFF}]*");
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/,\\s]+)");

    private final String region;
    private final String accountId;
    private final Supplier<URI> baseUrl;
    private final ConcurrentMap<String, Queue> queues = new ConcurrentHashMap<>();

    public SqsEmulator(String region, String accountId, Supplier<URI> baseUrl) {
        this.region = region;
        this.accountId = accountId;
        this.baseUrl = baseUrl;
    }

    /** True for JSON-protocol SQS calls; the older query protocol (Action=...) is not spoken here. */
    public static boolean isSqsRequest(HttpExchange exchange) {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        return target != null && target.startsWith(TARGET_PREFIX);
    }

    /**
     * Creates the queue, or returns the URL of an existing one whose attributes agree with those given, as
     * CreateQueue does; throws IllegalArgumentException for invalid input or a conflicting existing queue.
     */
    public String createQueue(String name, Map<String, String> attributes) {
        try {
            return queueUrl(createQueueOrGet(name, attributes == null ? Map.of() : attributes));
        } catch (SqsError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** In-process send, as S3 event notifications do; throws IllegalArgumentException for an unknown queue. */
    public void sendByArn(String queueArn, String body) {
        Queue queue = queueByArn(queueArn);
        if (queue == null) {
            throw new IllegalArgumentException("No such queue: " + queueArn);
        }
        queue.send(new Message(UUID.randomUUID().toString(), body, new TreeMap<>(), null, accountId,
                System.currentTimeMillis()), queue.intAttribute("DelaySeconds"));
    }

    public String queueArn(String name) {
        return "arn:aws:sqs:" + region + ":" + accountId + ":" + name;
    }

    /** Visible plus in-flight messages (delayed ones are not counted); throws for an unknown queue. */
    public int approximateNumberOfMessages(String name) {
        Queue queue = queues.get(name);
        if (queue == null) {
            throw new IllegalArgumentException("No such queue: " + name);
        }
        return queue.approximateNumberOfMessages();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        int status = 200;
        JsonNode response;
        String queryError = null;
        try {
            response = serve(exchange);
        } catch (SqsError e) {
            status = e.status;
            response = error(e.type, e.getMessage());
            queryError = e.queryCode + ";Sender";
        } catch (RuntimeException e) {
            status = 500;
            response = error("InternalFailure", String.valueOf(e));
            queryError = "InternalFailure;Receiver";
        }
        byte[] bytes = JSON.writeValueAsBytes(response);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        if (queryError != null) {
            exchange.getResponseHeaders().set("x-amzn-query-error", queryError);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(bytes);
        }
        exchange.close();
    }

    private static ObjectNode error(String type, String message) {
        return JSON.createObjectNode().put("__type", "com.amazonaws.sqs#" + type).put("message", message);
    }

    private JsonNode serve(HttpExchange exchange) throws IOException {
        byte[] raw = exchange.getRequestBody().readAllBytes();
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || auth.isBlank()) {
            throw new SqsError(403, "MissingAuthenticationToken", "MissingAuthenticationToken",
                    "Request is missing Authentication Token");
        }
        if (!"POST".equals(exchange.getRequestMethod()) || !isSqsRequest(exchange)) {
            throw SqsError.unsupported("Only JSON-protocol POSTs with X-Amz-Target AmazonSQS.* are served here.");
        }
        JsonNode in = raw.length == 0 ? JSON.createObjectNode() : readObject(new String(raw, StandardCharsets.UTF_8));
        if (in == null) {
            throw new SqsError(400, "SerializationException", "SerializationException", "Malformed JSON body.");
        }
        Matcher credential = CREDENTIAL.matcher(auth); // SenderId is the caller's access key id, as in AWS
        String senderId = credential.find() ? credential.group(1) : accountId;
        String operation = exchange.getRequestHeaders().getFirst("X-Amz-Target").substring(TARGET_PREFIX.length());
        return dispatch(operation, in, senderId);
    }

    /** Parses a JSON object, or returns null if the text is not one. */
    static JsonNode readObject(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private ObjectNode dispatch(String operation, JsonNode in, String senderId) {
        ObjectNode out = JSON.createObjectNode();
        switch (operation) {
            case "CreateQueue" -> out.put("QueueUrl",
                    queueUrl(createQueueOrGet(required(in, "QueueName"), stringMap(in.get("Attributes")))));
            case "GetQueueUrl" -> {
                Queue queue = queues.get(required(in, "QueueName"));
                if (queue == null) {
                    throw SqsError.noSuchQueue();
                }
                out.put("QueueUrl", queueUrl(queue));
            }
            case "ListQueues" -> {
                String prefix = in.path("QueueNamePrefix").asText("");
                ArrayNode urls = JSON.createArrayNode();
                queues.values().stream().filter(q -> q.name.startsWith(prefix)).map(this::queueUrl).sorted()
                        .forEach(urls::add);
                if (!urls.isEmpty()) {
                    out.set("QueueUrls", urls);
                }
            }
            case "GetQueueAttributes" -> getQueueAttributes(queue(in), in, out);
            case "SetQueueAttributes" -> queue(in).setAttributes(stringMap(in.get("Attributes")));
            case "DeleteQueue" -> {
                Queue queue = queue(in);
                if (queues.remove(queue.name, queue)) {
                    queue.markDeleted();
                }
            }
            case "PurgeQueue" -> queue(in).purge();
            case "SendMessage" -> out.setAll(sendMessage(queue(in), in, senderId));
            case "SendMessageBatch" -> {
                Queue queue = queue(in);
                batch(in, out, entry -> sendMessage(queue, entry, senderId));
            }
            case "ReceiveMessage" -> receiveMessage(queue(in), in, out);
            case "DeleteMessage" -> queue(in).delete(required(in, "ReceiptHandle"));
            case "DeleteMessageBatch" -> {
                Queue queue = queue(in);
                batch(in, out, entry -> {
                    queue.delete(required(entry, "ReceiptHandle"));
                    return JSON.createObjectNode();
                });
            }
            case "ChangeMessageVisibility" -> changeVisibility(queue(in), in);
            case "ChangeMessageVisibilityBatch" -> {
                Queue queue = queue(in);
                batch(in, out, entry -> {
                    changeVisibility(queue, entry);
                    return JSON.createObjectNode();
                });
            }
            default -> throw SqsError.unsupported("The operation " + operation + " is not supported by this emulator.");
        }
        return out;
    }

    private Queue createQueueOrGet(String name, Map<String, String> attributes) {
        if (name.endsWith(".fifo")) {
            throw SqsError.invalidParameter("FIFO queues are not supported by this emulator: " + name);
        }
        if (!NAME_OR_BATCH_ID.matcher(name).matches()) {
            throw SqsError.invalidParameter("Queue names may only contain alphanumeric characters, hyphens and"
                    + " underscores, 1 to 80 of them.");
        }
        Queue fresh = new Queue(name, queueArn(name), this::queueByArn);
        fresh.setAttributes(attributes);
        Queue existing = queues.putIfAbsent(name, fresh);
        String conflict = existing == null ? null : existing.conflictingAttribute(attributes);
        if (conflict != null) {
            throw new SqsError(400, "QueueNameExists", "QueueAlreadyExists",
                    "A queue already exists with the same name and a different value for attribute " + conflict);
        }
        return existing == null ? fresh : existing;
    }

    private static void getQueueAttributes(Queue queue, JsonNode in, ObjectNode out) {
        Set<String> wanted = strings(in.path("AttributeNames"));
        wanted.stream().filter(n -> !Queue.isAttributeName(n)).findFirst().ifPresent(n -> {
            throw SqsError.invalidAttributeName(n);
        });
        if (!wanted.isEmpty()) {
            ObjectNode attributes = out.putObject("Attributes");
            queue.attributes().forEach((name, value) -> {
                if (wanted.contains("All") || wanted.contains(name)) {
                    attributes.put(name, value);
                }
            });
        }
    }

    private static ObjectNode sendMessage(Queue queue, JsonNode in, String senderId) {
        String body = in.path("MessageBody").asText("");
        if (body.isEmpty()) {
            throw SqsError.missingParameter("MessageBody");
        }
        SortedMap<String, Message.Attribute> attributes = messageAttributes(in.get("MessageAttributes"));
        // AWSTraceHeader is the one system attribute a sender may set; the SDK checks its digest too.
        SortedMap<String, Message.Attribute> system = messageAttributes(in.get("MessageSystemAttributes"));
        if (!system.keySet().stream().allMatch("AWSTraceHeader"::equals) || system.values().stream()
                .anyMatch(Message.Attribute::isBinary)) {
            throw SqsError.invalidParameter("The only supported message system attribute is AWSTraceHeader.");
        }
        int size = Message.utf8(body).length
                + attributes.entrySet().stream().mapToInt(e -> e.getKey().length() + e.getValue().size()).sum();
        int maxSize = queue.intAttribute("MaximumMessageSize");
        if (size > maxSize) {
            throw SqsError.invalidParameter("One or more parameters are invalid. Reason: Message must be shorter"
                    + " than " + maxSize + " bytes.");
        }
        if (!BODY_CHARS.matcher(body).matches()) {
            throw new SqsError(400, "InvalidMessageContents", "InvalidMessageContents", "Invalid characters found."
                    + " Only #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF are allowed.");
        }
        int delay = intParam(in, "DelaySeconds", queue.intAttribute("DelaySeconds"), 0, 900);
        Message.Attribute trace = system.get("AWSTraceHeader");
        Message message = new Message(UUID.randomUUID().toString(), body, attributes,
                trace == null ? null : trace.stringValue(), senderId, System.currentTimeMillis());
        queue.send(message, delay);
        ObjectNode out = JSON.createObjectNode().put("MessageId", message.id)
                .put("MD5OfMessageBody", Message.md5OfBody(body));
        putIfNotNull(out, "MD5OfMessageAttributes", Message.md5OfAttributes(attributes));
        putIfNotNull(out, "MD5OfMessageSystemAttributes", Message.md5OfAttributes(system));
        return out;
    }

    /** Checks the request as a whole, then runs op per entry and reports each outcome, as SQS batches do. */
    private static void batch(JsonNode in, ObjectNode out, Function<JsonNode, ObjectNode> op) {
        JsonNode entries = in.path("Entries");
        if (entries.isEmpty()) {
            throw SqsError.batch("EmptyBatchRequest", "There should be at least one entry in the request.");
        }
        if (entries.size() > 10) {
            throw SqsError.batch("TooManyEntriesInBatchRequest",
                    "Maximum number of entries per request are 10. You have sent " + entries.size() + ".");
        }
        Set<String> ids = new HashSet<>();
        for (JsonNode entry : entries) {
            String id = entry.path("Id").asText("");
            if (!NAME_OR_BATCH_ID.matcher(id).matches()) {
                throw SqsError.batch("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric"
                        + " characters, hyphens and underscores. It can be at most 80 letters long.");
            }
            if (!ids.add(id)) {
                throw SqsError.batch("BatchEntryIdsNotDistinct", "Id " + id + " repeated.");
            }
        }
        ArrayNode successful = out.putArray("Successful");
        ArrayNode failed = out.putArray("Failed");
        for (JsonNode entry : entries) {
            String id = entry.get("Id").asText();
            try {
                ObjectNode result = op.apply(entry); // before adding, so a failing entry is not half-reported
                successful.addObject().put("Id", id).setAll(result);
            } catch (SqsError e) {
                failed.addObject().put("Id", id).put("SenderFault", true).put("Code", e.queryCode)
                        .put("Message", e.getMessage());
            }
        }
    }

    private static void receiveMessage(Queue queue, JsonNode in, ObjectNode out) {
        int max = intParam(in, "MaxNumberOfMessages", 1, 1, 10);
        int visibility = intParam(in, "VisibilityTimeout", queue.intAttribute("VisibilityTimeout"), 0, 43_200);
        int wait = intParam(in, "WaitTimeSeconds", queue.intAttribute("ReceiveMessageWaitTimeSeconds"), 0, 20);
        Set<String> system = strings(in.path("AttributeNames"));
        system.addAll(strings(in.path("MessageSystemAttributeNames")));
        Set<String> attributeNames = strings(in.path("MessageAttributeNames"));

        List<Queue.Delivery> deliveries = queue.receive(max, visibility, wait * 1000L);
        ArrayNode messages = deliveries.isEmpty() ? null : out.putArray("Messages");
        for (Queue.Delivery d : deliveries) {
            Message m = d.message();
            ObjectNode json = messages.addObject().put("MessageId", m.id).put("ReceiptHandle", d.receiptHandle())
                    .put("MD5OfBody", Message.md5OfBody(m.body)).put("Body", m.body);
            Map<String, String> attrs = new LinkedHashMap<>();
            attrs.put("SenderId", m.senderId);
            attrs.put("SentTimestamp", String.valueOf(m.sentTimestamp));
            attrs.put("ApproximateReceiveCount", String.valueOf(d.receiveCount()));
            attrs.put("ApproximateFirstReceiveTimestamp", String.valueOf(d.firstReceiveTimestamp()));
            attrs.put("AWSTraceHeader", m.traceHeader);
            boolean all = system.contains("All");
            attrs.entrySet().removeIf(e -> e.getValue() == null || !(all || system.contains(e.getKey())));
            if (!attrs.isEmpty()) {
                attrs.forEach(json.putObject("Attributes")::put);
            }
            SortedMap<String, Message.Attribute> selected = new TreeMap<>(m.attributes);
            selected.keySet().removeIf(name -> !isRequested(attributeNames, name));
            if (!selected.isEmpty()) {
                // The digest covers exactly the attributes returned, which is what clients recompute.
                json.put("MD5OfMessageAttributes", Message.md5OfAttributes(selected));
                ObjectNode attributes = json.putObject("MessageAttributes");
                selected.forEach((name, a) -> {
                    ObjectNode value = attributes.putObject(name).put("DataType", a.dataType());
                    if (a.isBinary()) {
                        value.put("BinaryValue", a.binaryValue());
                    } else {
                        value.put("StringValue", a.stringValue());
                    }
                });
            }
        }
    }

    /** MessageAttributeNames accepts All, .*, exact names and prefixes such as trace.* */
    private static boolean isRequested(Set<String> requested, String name) {
        return requested.contains("All") || requested.contains(".*") || requested.contains(name)
                || requested.stream().anyMatch(r -> r.endsWith(".*") && name.startsWith(r.substring(0, r.length() - 2)
                        + "."));
    }

    private static void changeVisibility(Queue queue, JsonNode in) {
        String handle = required(in, "ReceiptHandle");
        required(in, "VisibilityTimeout");
        queue.changeVisibility(handle, intParam(in, "VisibilityTimeout", 0, 0, 43_200));
    }

    /** Parses MessageAttributes (or MessageSystemAttributes) with SQS's validation rules. */
    private static SortedMap<String, Message.Attribute> messageAttributes(JsonNode node) {
        SortedMap<String, Message.Attribute> out = new TreeMap<>();
        if (node == null) {
            return out;
        }
        if (node.size() > 10) {
            throw SqsError.invalidParameter("Number of message attributes [" + node.size() + "] exceeds the allowed"
                    + " maximum [10].");
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String name = field.getKey();
            String type = field.getValue().path("DataType").asText("");
            String text = field.getValue().path("StringValue").asText("");
            byte[] binary = binary(field.getValue().get("BinaryValue"));
            if (!ATTRIBUTE_NAME.matcher(name).matches()) {
                throw SqsError.invalidParameter("Message attribute name '" + name + "' is invalid.");
            }
            if (!type.matches("(String|Number|Binary)(\\..+)?")) {
                throw SqsError.invalidParameter("The type of message attribute '" + name + "' is invalid. You must"
                        + " use only the following supported type prefixes: Binary, Number, String.");
            }
            boolean isBinary = type.startsWith("Binary");
            if (isBinary ? binary == null || binary.length == 0 : text.isEmpty()) {
                throw SqsError.invalidParameter("Message attribute '" + name + "' must contain a non-empty message"
                        + " attribute value for message attribute type '" + type + "'.");
            }
            if (type.startsWith("Number") && !NUMBER.matcher(text).matches()) {
                throw SqsError.invalidParameter("Can't cast the value of message attribute '" + name
                        + "' to a number.");
            }
            out.put(name, new Message.Attribute(type, isBinary ? null : text, isBinary ? binary : null));
        }
        return out;
    }

    private static byte[] binary(JsonNode node) {
        try {
            return node == null ? null : node.binaryValue();
        } catch (IOException e) {
            return null;
        }
    }

    /** Resolves QueueUrl by its last path segment, whatever the host, since clients say localhost or 127.0.0.1. */
    private Queue queue(JsonNode in) {
        String url = required(in, "QueueUrl").trim();
        String path;
        try {
            path = URI.create(url).getPath().replaceAll("/+$", "");
        } catch (IllegalArgumentException | NullPointerException e) {
            path = "";
        }
        if (path.isEmpty()) {
            throw new SqsError(404, "InvalidAddress", "InvalidAddress",
                    "The address " + url + " is not valid for this endpoint.");
        }
        Queue queue = queues.get(path.substring(path.lastIndexOf('/') + 1));
        if (queue == null) {
            throw SqsError.noSuchQueue();
        }
        return queue;
    }

    private Queue queueByArn(String arn) {
        String prefix = "arn:aws:sqs:" + region + ":" + accountId + ":";
        return arn != null && arn.startsWith(prefix) ? queues.get(arn.substring(prefix.length())) : null;
    }

    private String queueUrl(Queue queue) {
        return baseUrl.get().toString().replaceAll("/+$", "") + "/" + accountId + "/" + queue.name;
    }

    private static String required(JsonNode in, String name) {
        JsonNode node = in.get(name);
        if (node == null || node.isNull() || node.asText().isEmpty()) {
            throw SqsError.missingParameter(name);
        }
        return node.asText();
    }

    /** Reads an integer that the SDK sends as a number and hand-written clients sometimes as a string. */
    private static int intParam(JsonNode in, String name, int fallback, int min, int max) {
        JsonNode node = in.get(name);
        if (node == null || node.isNull()) {
            return fallback;
        }
        String text = node.asText().trim();
        long value = text.matches("-?\\d{1,9}") ? Long.parseLong(text) : Long.MIN_VALUE;
        if (value < min || value > max) {
            throw SqsError.invalidParameter("Value " + text + " for parameter " + name + " is invalid. Reason: Must"
                    + " be an integer from " + min + " to " + max + ".");
        }
        return (int) value;
    }

    private static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node != null) {
            node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new HashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static void putIfNotNull(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }
}
