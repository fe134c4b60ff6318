// unit: validation of a start-upload request, no database
package ai.realstaging.common.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.realstaging.common.http.ApiException;
import ai.realstaging.common.http.ApiException.FieldError;
import ai.realstaging.common.http.Json;
import ai.realstaging.common.staging.Catalog;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UploadRequestTest {

    private static ObjectNode valid() {
        return (ObjectNode) Json.read("""
                {"filename": "living room.jpg", "content_type": "image/jpeg", "size_bytes": 2483117,
                 "room_type": "living_room", "styles": ["modern", "scandinavian"]}""");
    }

    private static ObjectNode with(Consumer<ObjectNode> change) {
        ObjectNode body = valid();
        change.accept(body);
        return body;
    }

    private static ApiException rejected(ObjectNode body) {
        ApiException e = catchThrowableOfType(ApiException.class, () -> UploadRequest.parse(body));
        assertThat(e).as("expected %s to be rejected", body).isNotNull();
        return e;
    }

    private static List<String> fields(ApiException e) {
        return e.errors().stream().map(FieldError::field).toList();
    }

    @Test
    void aValidRequestIsReadWithDefaults() {
        UploadRequest request = UploadRequest.parse(with(b -> b.put("content_type", " Image/JPEG ")));

        assertThat(request.filename()).isEqualTo("living room.jpg");
        assertThat(request.contentType()).isEqualTo("image/jpeg");
        assertThat(request.sizeBytes()).isEqualTo(2483117);
        assertThat(request.roomType()).isEqualTo("living_room");
        assertThat(request.styles()).containsExactly("modern", "scandinavian");
        assertThat(request.mode()).isEqualTo("stage");
        assertThat(request.prompt()).isNull();
        assertThat(request.seed()).isNull();
    }

    @Test
    void optionalFieldsAreReadWhenGiven() {
        UploadRequest request = UploadRequest.parse(with(b -> b.put("mode", "declutter_and_stage")
                .put("prompt", "  Add a reading nook by the window.  ").put("seed", 42)));

        assertThat(request.mode()).isEqualTo("declutter_and_stage");
        assertThat(request.prompt()).isEqualTo("Add a reading nook by the window.");
        assertThat(request.seed()).isEqualTo(42L);
    }

    @Test
    void everyRequiredFieldMissingIsReportedAtOnce() {
        ApiException e = rejected((ObjectNode) Json.read("{}"));

        assertThat(e.status()).isEqualTo(422);
        assertThat(fields(e)).containsExactlyInAnyOrder("filename", "content_type", "size_bytes", "room_type", "styles");
        assertThat(e.detail()).isEqualTo("5 fields are invalid");
    }

    @Test
    void wrongTypesAreReportedPerField() {
        ApiException e = rejected((ObjectNode) Json.read("""
                {"filename": 7, "content_type": ["image/png"], "size_bytes": "123", "room_type": true,
                 "styles": "modern", "mode": 3, "prompt": 12, "seed": "42"}"""));

        assertThat(e.status()).isEqualTo(422);
        assertThat(fields(e)).containsExactlyInAnyOrder("filename", "content_type", "size_bytes", "room_type",
                "styles", "mode", "prompt", "seed");
    }

    @Test
    void onlyTooLargeIs413() {
        ApiException e = rejected(with(b -> b.put("size_bytes", Catalog.MAX_UPLOAD_BYTES + 1)));

        assertThat(e).isInstanceOf(ApiException.PayloadTooLarge.class);
        assertThat(e.status()).isEqualTo(413);
        assertThat(fields(e)).containsExactly("size_bytes");
    }

    @Test
    void exactlyTenMebibytesIsAccepted() {
        assertThat(UploadRequest.parse(with(b -> b.put("size_bytes", 10 * 1024 * 1024))).sizeBytes())
                .isEqualTo(10L * 1024 * 1024);
    }

    @Test
    void onlyAnUnsupportedTypeIs415() {
        ApiException e = rejected(with(b -> b.put("filename", "room.gif").put("content_type", "image/gif")));

        assertThat(e).isInstanceOf(ApiException.UnsupportedMediaType.class);
        assertThat(e.status()).isEqualTo(415);
        assertThat(fields(e)).containsExactly("content_type");
        assertThat(e.errors().getFirst().message()).contains("image/jpeg", "image/png", "image/webp");
    }

    @Test
    void tooLargeAndUnsupportedTogetherAre422WithBoth() {
        ApiException e = rejected(with(b -> b.put("filename", "room.gif").put("content_type", "image/gif")
                .put("size_bytes", Catalog.MAX_UPLOAD_BYTES + 1)));

        assertThat(e.status()).isEqualTo(422);
        assertThat(fields(e)).containsExactlyInAnyOrder("content_type", "size_bytes");
    }

    @Test
    void tooLargeWithAnotherProblemIs422ListingTheSizeToo() {
        ApiException e = rejected(with(b -> b.put("size_bytes", Catalog.MAX_UPLOAD_BYTES + 1).remove("room_type")));

        assertThat(e.status()).isEqualTo(422);
        assertThat(fields(e)).containsExactlyInAnyOrder("room_type", "size_bytes");
    }

    @Test
    void unsupportedTypeWithAnotherProblemIs422ListingTheTypeToo() {
        ApiException e = rejected(with(b -> b.put("content_type", "image/gif").putArray("styles")));

        assertThat(e.status()).isEqualTo(422);
        assertThat(fields(e)).containsExactlyInAnyOrder("content_type", "styles");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -5})
    void anEmptyOrNegativeSizeIsA422NotA413(long size) {
        ApiException e = rejected(with(b -> b.put("size_bytes", size)));

        assertThat(e.status()).isEqualTo(422);
        assertThat(fields(e)).containsExactly("size_bytes");
    }

    @Test
    void aFractionalSizeIsRefused() {
        assertThat(fields(rejected(with(b -> b.put("size_bytes", 12.5))))).containsExactly("size_bytes");
    }

    @Test
    void theExtensionMustMatchTheType() {
        ApiException e = rejected(with(b -> b.put("filename", "room.png")));

        assertThat(e.status()).isEqualTo(422);
        assertThat(fields(e)).containsExactly("filename");
        assertThat(e.errors().getFirst().message()).contains(".jpg", ".jpeg");
    }

    @Test
    void aNameWithoutExtensionIsRefused() {
        assertThat(fields(rejected(with(b -> b.put("filename", "room"))))).containsExactly("filename");
    }

    @ParameterizedTest
    @ValueSource(strings = {"room.JPG", "room.jpeg", "IMG_0001.Jpeg"})
    void jpegExtensionsInAnyCaseAreAccepted(String filename) {
        assertThat(UploadRequest.parse(with(b -> b.put("filename", filename))).filename()).isEqualTo(filename);
    }

    @Test
    void pngAndWebpNeedTheirOwnExtensions() {
        assertThat(UploadRequest.parse(with(b -> b.put("filename", "a.png").put("content_type", "image/png"))).contentType())
                .isEqualTo("image/png");
        assertThat(UploadRequest.parse(with(b -> b.put("filename", "a.webp").put("content_type", "image/webp"))).contentType())
                .isEqualTo("image/webp");
        assertThat(fields(rejected(with(b -> b.put("filename", "a.jpg").put("content_type", "image/webp")))))
                .containsExactly("filename");
    }

    @Test
    void aBlankOrOverlongFilenameIsRefused() {
        assertThat(fields(rejected(with(b -> b.put("filename", "   "))))).containsExactly("filename");
        assertThat(fields(rejected(with(b -> b.put("filename", "a".repeat(252) + ".jpg"))))).containsExactly("filename");
        assertThat(UploadRequest.parse(with(b -> b.put("filename", "a".repeat(251) + ".jpg"))).filename()).hasSize(255);
    }

    @Test
    void anUnknownRoomTypeIsRefused() {
        ApiException e = rejected(with(b -> b.put("room_type", "garage")));

        assertThat(fields(e)).containsExactly("room_type");
        assertThat(e.errors().getFirst().message()).contains("living_room", "outdoor");
    }

    @Test
    void noStylesIsRefused() {
        assertThat(fields(rejected(with(b -> b.putArray("styles"))))).containsExactly("styles");
        assertThat(fields(rejected(with(b -> b.putNull("styles"))))).containsExactly("styles");
    }

    @Test
    void fiveStylesAreAllowedAndSixAreNot() {
        UploadRequest five = UploadRequest.parse(with(b -> b.putArray("styles")
                .add("modern").add("coastal").add("luxury").add("japandi").add("industrial")));
        assertThat(five.styles()).hasSize(5);

        ApiException six = rejected(with(b -> b.putArray("styles")
                .add("modern").add("coastal").add("luxury").add("japandi").add("industrial").add("farmhouse")));
        assertThat(fields(six)).containsExactly("styles");
    }

    @Test
    void aRepeatedStyleIsReportedAtItsIndex() {
        ApiException e = rejected(with(b -> b.putArray("styles").add("modern").add("coastal").add("modern")));

        assertThat(e.errors()).containsExactly(new FieldError("styles[2]", "repeats modern"));
    }

    @Test
    void unknownAndNonTextStylesAreReportedAtTheirIndexes() {
        ApiException e = rejected(with(b -> b.putArray("styles").add("modern").add("baroque").add(5)));

        assertThat(fields(e)).containsExactly("styles[1]", "styles[2]");
    }

    @Test
    void anUnknownModeIsRefused() {
        assertThat(fields(rejected(with(b -> b.put("mode", "demolish"))))).containsExactly("mode");
    }

    @Test
    void seedBoundsAreOneTo2Pow32Minus1() {
        assertThat(UploadRequest.parse(with(b -> b.put("seed", 1))).seed()).isEqualTo(1L);
        assertThat(UploadRequest.parse(with(b -> b.put("seed", 4_294_967_295L))).seed()).isEqualTo(4_294_967_295L);
        assertThat(fields(rejected(with(b -> b.put("seed", 0))))).containsExactly("seed");
        assertThat(fields(rejected(with(b -> b.put("seed", -1))))).containsExactly("seed");
        assertThat(fields(rejected(with(b -> b.put("seed", 4_294_967_296L))))).containsExactly("seed");
    }

    @Test
    void aSeedBeyondLongOrFractionalIsRefused() {
        // 2^64 + 5 wraps to 5 as a long: it must still be refused.
        assertThat(fields(rejected(with(b -> b.put("seed", BigInteger.TWO.pow(64).add(BigInteger.valueOf(5)))))))
                .containsExactly("seed");
        assertThat(fields(rejected(with(b -> b.put("seed", 7.5))))).containsExactly("seed");
    }

    @Test
    void aNullSeedOrPromptMeansNone() {
        UploadRequest request = UploadRequest.parse(with(b -> b.putNull("seed").putNull("prompt")));

        assertThat(request.seed()).isNull();
        assertThat(request.prompt()).isNull();
    }

    @Test
    void promptLengthIsTenTo2000CharactersAfterTrimming() {
        assertThat(UploadRequest.parse(with(b -> b.put("prompt", "a".repeat(10)))).prompt()).hasSize(10);
        assertThat(UploadRequest.parse(with(b -> b.put("prompt", "a".repeat(2000)))).prompt()).hasSize(2000);
        assertThat(fields(rejected(with(b -> b.put("prompt", "a".repeat(9)))))).containsExactly("prompt");
        assertThat(fields(rejected(with(b -> b.put("prompt", "   " + "a".repeat(9) + "   "))))).containsExactly("prompt");
        assertThat(fields(rejected(with(b -> b.put("prompt", "a".repeat(2001)))))).containsExactly("prompt");
    }

    @Test
    void manyProblemsAreAllReportedTogether() {
        ApiException e = rejected(with(b -> {
            b.put("filename", "room.png");
            b.put("size_bytes", 0);
            b.put("room_type", "garage");
            b.putArray("styles").add("modern").add("modern");
            b.put("mode", "paint");
            b.put("prompt", "short");
            b.put("seed", 0);
        }));

        assertThat(e.status()).isEqualTo(422);
        assertThat(fields(e)).containsExactlyInAnyOrder("filename", "size_bytes", "room_type", "styles[1]", "mode",
                "prompt", "seed");
    }
}
