package ai.realstaging.common.realtime;

import ai.realstaging.common.api.Views.ImageView;
import ai.realstaging.common.api.Views.OriginalView;
import ai.realstaging.common.http.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** The real-time message shapes of PRODUCT.md §7, the same on every transport, each at most 128 KB. */
public final class Messages {
    /** API Gateway's WebSocket message limit; a larger post is refused and would close the connection. */
    public static final int MAX_BYTES = 128 * 1024;

    public static final String IMAGE_UPDATED = "image.updated";
    public static final String ORIGINAL_UPDATED = "original.updated";

    record ImageUpdated(String type, ImageView image) {}

    /** {@code imagesOmitted} is set when the original's images would not fit: the client reads them with GET. */
    record OriginalUpdated(String type, OriginalView original, Boolean imagesOmitted) {}

    private Messages() {}

    /** {@code {"type":"image.updated","image":{…}}}, or empty when it cannot fit in one message. */
    public static Optional<String> imageUpdated(ImageView image) {
        return fitting(Json.write(new ImageUpdated(IMAGE_UPDATED, image)));
    }

    /**
     * {@code {"type":"original.updated","original":{…}}}; an original with too many images to fit is
     * sent without them, marked {@code "images_omitted": true}.
     */
    public static Optional<String> originalUpdated(OriginalView original) {
        Optional<String> whole = fitting(Json.write(new OriginalUpdated(ORIGINAL_UPDATED, original, null)));
        if (whole.isPresent()) {
            return whole;
        }
        OriginalView bare = new OriginalView(original.id(), original.projectId(), original.filename(),
                original.contentType(), original.sizeBytes(), original.status(), original.rejection(), original.width(),
                original.height(), List.of(), original.createdAt(), original.updatedAt());
        return fitting(Json.write(new OriginalUpdated(ORIGINAL_UPDATED, bare, true)));
    }

    private static Optional<String> fitting(String json) {
        return json.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES ? Optional.of(json) : Optional.empty();
    }
}
