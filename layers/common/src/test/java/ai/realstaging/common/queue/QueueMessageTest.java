// unit: reading staging-queue message bodies from the events/sqs fixtures
package ai.realstaging.common.queue;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.http.Json;
import ai.realstaging.common.testing.Events;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class QueueMessageTest {

    private static String body(String fixture) {
        return Events.sqs(fixture).getRecords().getFirst().getBody();
    }

    @Test
    void s3TestEventIsRecognised() {
        assertThat(QueueMessage.parse(body("sqs/sqs_s3_test_event.json"))).isInstanceOf(QueueMessage.S3TestEvent.class);
    }

    @Test
    void objectCreatedKeysAreFormDecoded() {
        QueueMessage message = QueueMessage.parse(body("sqs/sqs_s3_object_created.json"));

        assertThat(message).isInstanceOf(QueueMessage.ObjectsCreated.class);
        var objects = ((QueueMessage.ObjectsCreated) message).objects();
        assertThat(objects).containsExactly(new QueueMessage.CreatedObject("realstaging-media-dev",
                "uploads/5b7e2c10-4f3a-4e8b-9d21-6c0a1b2c3d4e/8c2d4e6f-1a3b-4c5d-8e7f-9a0b1c2d3e4f/living room.jpg",
                2483117));
    }

    @Test
    void percentEncodedCharactersInKeysAreDecoded() {
        String body = body("sqs/sqs_s3_object_created.json").replace("living+room.jpg", "caf%C3%A9%2Bbar%2Fx.jpg");

        var objects = ((QueueMessage.ObjectsCreated) QueueMessage.parse(body)).objects();

        assertThat(objects.getFirst().key()).endsWith("/café+bar/x.jpg");
    }

    @Test
    void otherS3EventsInTheRecordsAreSkipped() {
        String body = body("sqs/sqs_s3_object_created.json").replace("ObjectCreated:Put", "ObjectRemoved:Delete");

        assertThat(QueueMessage.parse(body)).isEqualTo(new QueueMessage.ObjectsCreated(java.util.List.of()));
    }

    @Test
    void anUploadNoticeReadsBackAsTheObjectS3Announced() {
        String key = "uploads/5b7e2c10-4f3a-4e8b-9d21-6c0a1b2c3d4e/8c2d4e6f-1a3b-4c5d-8e7f-9a0b1c2d3e4f/living room+1.jpg";

        String notice = StagingQueue.uploadNotice("realstaging-media-dev", key, 2483117, "us-east-1",
                Instant.parse("2025-06-14T10:05:00Z"));

        assertThat(QueueMessage.parse(notice)).isEqualTo(new QueueMessage.ObjectsCreated(
                List.of(new QueueMessage.CreatedObject("realstaging-media-dev", key, 2483117))));
    }

    @Test
    void anUploadNoticeHasTheShapeOfS3sOwn() {
        JsonNode ours = Json.read(StagingQueue.uploadNotice("realstaging-media-dev",
                "uploads/u/o/living room.jpg", 12, "us-east-1", Instant.parse("2025-06-14T10:05:00Z")))
                .path("Records").path(0);
        JsonNode s3s = Json.read(Events.text("s3/s3_object_created.json")).path("Records").path(0);

        for (String field : List.of("eventVersion", "eventSource", "awsRegion", "eventName")) {
            assertThat(ours.path(field)).as(field).isEqualTo(s3s.path(field));
        }
        assertThat(ours.path("eventTime").asText()).isEqualTo("2025-06-14T10:05:00Z");
        assertThat(ours.path("s3").path("bucket").path("arn").asText()).isEqualTo("arn:aws:s3:::realstaging-media-dev");
        assertThat(ours.path("s3").path("object").path("key").asText()).isEqualTo("uploads/u/o/living+room.jpg");
        assertThat(ours.path("s3").path("object").path("size").asLong()).isEqualTo(12);
    }

    @Test
    void stageMessageNamesItsImage() {
        assertThat(QueueMessage.parse(body("sqs/sqs_stage_image.json")))
                .isEqualTo(new QueueMessage.Stage(UUID.fromString("c4a1e2f3-5b6c-4d7e-8f90-a1b2c3d4e5f6")));
    }

    @Test
    void ourOwnStageMessagesReadBack() {
        UUID id = UUID.randomUUID();

        assertThat(QueueMessage.parse(StagingQueue.stageMessage(id))).isEqualTo(new QueueMessage.Stage(id));
    }

    @Test
    void aStageMessageWithoutAValidImageIdIsUnknown() {
        assertThat(QueueMessage.parse("{\"type\":\"stage\",\"image_id\":\"42\"}")).isInstanceOf(QueueMessage.Unknown.class);
        assertThat(QueueMessage.parse("{\"type\":\"stage\"}")).isInstanceOf(QueueMessage.Unknown.class);
    }

    @Test
    void garbageIsUnknownAndNeverThrows() {
        assertThat(QueueMessage.parse("not json at all")).isInstanceOf(QueueMessage.Unknown.class);
        assertThat(QueueMessage.parse("")).isInstanceOf(QueueMessage.Unknown.class);
        assertThat(QueueMessage.parse(null)).isInstanceOf(QueueMessage.Unknown.class);
        assertThat(QueueMessage.parse("[1,2,3]")).isInstanceOf(QueueMessage.Unknown.class);
        assertThat(QueueMessage.parse("{\"type\":\"unstage\"}")).isInstanceOf(QueueMessage.Unknown.class);
        assertThat(QueueMessage.parse("{\"Records\":\"nope\"}")).isInstanceOf(QueueMessage.Unknown.class);
    }
}
