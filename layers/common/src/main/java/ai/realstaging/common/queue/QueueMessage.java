package ai.realstaging.common.queue;

import com.fasterxml.jackson.databind.JsonNode;
import ai.realstaging.common.http.Json;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** What a staging-queue message says: an S3 upload event, S3's test event, or one of our stage requests. */
public sealed interface QueueMessage {

    /** S3 sends this once when the notification is configured; there is nothing to do. */
    record S3TestEvent() implements QueueMessage {}

    /** Objects created under uploads/, keys already URL-decoded. */
    record ObjectsCreated(List<CreatedObject> objects) implements QueueMessage {}

    record CreatedObject(String bucket, String key, long size) {}

    record Stage(UUID imageId) implements QueueMessage {}

    /** A body we cannot act on; kept out of retries, it would fail the same way every time. */
    record Unknown(String reason) implements QueueMessage {}

    /** Reads a message body; never throws. */
    static QueueMessage parse(String body) {
        JsonNode node;
        try {
            node = Json.read(body);
        } catch (RuntimeException e) {
            return new Unknown("not JSON");
        }
        if ("s3:TestEvent".equals(node.path("Event").asText())) {
            return new S3TestEvent();
        }
        if (StagingQueue.STAGE.equals(node.path("type").asText())) {
            try {
                return new Stage(UUID.fromString(node.path("image_id").asText()));
            } catch (IllegalArgumentException e) {
                return new Unknown("stage message without a valid image_id");
            }
        }
        if (node.path("Records").isArray()) {
            List<CreatedObject> objects = new ArrayList<>();
            for (JsonNode record : node.path("Records")) {
                if (!"aws:s3".equals(record.path("eventSource").asText())
                        || !record.path("eventName").asText().startsWith("ObjectCreated:")) {
                    continue;
                }
                JsonNode s3 = record.path("s3");
                // S3 form-encodes keys in events: a space arrives as '+'.
                String key = URLDecoder.decode(s3.path("object").path("key").asText(), StandardCharsets.UTF_8);
                objects.add(new CreatedObject(s3.path("bucket").path("name").asText(), key,
                        s3.path("object").path("size").asLong(-1)));
            }
            return new ObjectsCreated(objects);
        }
        return new Unknown("unrecognised message");
    }
}
