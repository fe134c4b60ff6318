// unit: reading staging-queue message bodies from the events/sqs fixtures
package ai.realstaging.common.queue;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.testing.Events;
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
