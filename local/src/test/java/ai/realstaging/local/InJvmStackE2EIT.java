package ai.realstaging.local;

// end-to-end: the walking-skeleton scenarios against the local stack with its in-JVM S3 and SQS emulators

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InJvmStackE2EIT extends WalkingSkeletonScenarios {
    @Override
    String awsEndpoint() {
        return null;
    }

    /** The emulator enforces conditional writes as S3 does; moto may not, so this one runs here only. */
    @Test
    void anUploadUrlCannotReplaceTheFileOnceUploaded() throws Exception {
        ApiClient api = client(stack.issuer().mint("replacer-injvm", false, Duration.ofHours(1)));
        String project = api.post("/v1/projects", java.util.Map.of("name", "Replace test")).body().path("id").asText();
        byte[] photo = Photos.emptyRoom(64, 48, "png");
        JsonNode started = api.post("/v1/projects/" + project + "/uploads", java.util.Map.of("filename", "room.png",
                "content_type", "image/png", "size_bytes", photo.length, "room_type", "bedroom",
                "styles", java.util.List.of("modern"))).body();
        assertThat(started.path("upload").path("headers").path("If-None-Match").asText()).isEqualTo("*");

        assertThat(api.upload(started.path("upload"), photo)).isEqualTo(200);
        // Same size and type, so only the conditional write can refuse it.
        byte[] sameSize = java.util.Arrays.copyOf(Photos.emptyRoom(64, 48, "png"), photo.length);
        sameSize[sameSize.length - 1] ^= 1;
        assertThat(api.upload(started.path("upload"), sameSize)).isEqualTo(412);
    }
}
