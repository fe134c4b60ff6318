// unit: the real-time message shapes of PRODUCT.md §7 and API Gateway's 128 KB message limit
package ai.realstaging.common.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.api.Views.ImageView;
import ai.realstaging.common.api.Views.OriginalView;
import ai.realstaging.common.api.Views.Urls;
import ai.realstaging.common.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MessagesTest {
    private static final UUID ORIGINAL = UUID.randomUUID();
    private static final UUID PROJECT = UUID.randomUUID();

    private static ImageView image(String status) {
        String url = "https://bucket.s3.amazonaws.com/staged/x.jpg?X-Amz-Signature=" + "a".repeat(1500);
        return new ImageView(UUID.randomUUID(), ORIGINAL, PROJECT, "bedroom", "modern", "stage", 42L, status, null,
                "qwen-image-edit", new Urls(url, url, Instant.parse("2026-11-26T10:15:00Z")),
                Instant.parse("2026-11-26T10:00:00Z"), Instant.parse("2026-11-26T10:00:05Z"));
    }

    private static OriginalView original(int images) {
        List<ImageView> list = new ArrayList<>();
        for (int i = 0; i < images; i++) list.add(image("ready"));
        return new OriginalView(ORIGINAL, PROJECT, "room.jpg", "image/jpeg", 123_456, "uploaded", null, 640, 480, list,
                Instant.parse("2026-11-26T09:59:00Z"), Instant.parse("2026-11-26T10:00:01Z"));
    }

    @Test
    void anImageUpdateCarriesTheImageAsTheRestApiShowsIt() {
        ImageView image = image("processing");

        JsonNode message = Json.read(Messages.imageUpdated(image).orElseThrow());

        assertThat(message.path("type").asText()).isEqualTo("image.updated");
        assertThat(message.path("image")).isEqualTo(Json.read(Json.write(image)));
        assertThat(message.path("image").path("original_id").asText()).isEqualTo(ORIGINAL.toString());
        assertThat(message.path("image").path("updated_at").asText()).isEqualTo("2026-11-26T10:00:05Z");
    }

    @Test
    void anOriginalUpdateCarriesItsImages() {
        JsonNode message = Json.read(Messages.originalUpdated(original(3)).orElseThrow());

        assertThat(message.path("type").asText()).isEqualTo("original.updated");
        assertThat(message.path("original").path("images")).hasSize(3);
        assertThat(message.has("images_omitted")).isFalse();
    }

    @Test
    void anOriginalTooLargeForOneMessageIsSentWithoutItsImagesAndSaysSo() {
        OriginalView large = original(80);
        assertThat(Json.write(large).getBytes(StandardCharsets.UTF_8).length).isGreaterThan(Messages.MAX_BYTES);

        String encoded = Messages.originalUpdated(large).orElseThrow();

        assertThat(encoded.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(Messages.MAX_BYTES);
        JsonNode message = Json.read(encoded);
        assertThat(message.path("images_omitted").asBoolean()).isTrue();
        assertThat(message.path("original").path("images")).isEmpty();
        assertThat(message.path("original").path("status").asText()).isEqualTo("uploaded");
    }
}
