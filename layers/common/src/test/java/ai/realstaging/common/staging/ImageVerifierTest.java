// unit: upload verification on real JPEG/PNG bytes made with ImageIO and hand-built WebP headers
package ai.realstaging.common.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.realstaging.common.testing.TestImages;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class ImageVerifierTest {

    static byte[] jpeg(int width, int height) {
        return TestImages.jpeg(width, height);
    }

    static byte[] png(int width, int height) {
        return TestImages.png(width, height);
    }

    private static ImageVerifier.Rejected rejected(byte[] bytes, String type) {
        return rejected(bytes, type, bytes.length);
    }

    private static ImageVerifier.Rejected rejected(byte[] bytes, String type, long declared) {
        ImageVerifier.Rejected e = catchThrowableOfType(ImageVerifier.Rejected.class,
                () -> ImageVerifier.verify(bytes, type, declared));
        assertThat(e).as("expected a rejection").isNotNull();
        assertThat(e.getMessage()).isNotBlank();
        return e;
    }

    @Test
    void aRealJpegIsAcceptedWithItsDimensions() throws Exception {
        byte[] bytes = jpeg(640, 480);

        assertThat(ImageVerifier.verify(bytes, "image/jpeg", bytes.length))
                .isEqualTo(new ImageVerifier.Verified(ImageFormat.JPEG, 640, 480));
    }

    @Test
    void aRealPngIsAcceptedWithItsDimensions() throws Exception {
        byte[] bytes = png(300, 500);

        assertThat(ImageVerifier.verify(bytes, "image/png", bytes.length))
                .isEqualTo(new ImageVerifier.Verified(ImageFormat.PNG, 300, 500));
    }

    @Test
    void aPngDeclaredAsJpegIsATypeMismatch() {
        ImageVerifier.Rejected e = rejected(png(20, 20), "image/jpeg");

        assertThat(e.code()).isEqualTo("type_mismatch");
        assertThat(e.getMessage()).contains("PNG").contains("image/jpeg");
    }

    @Test
    void somethingThatIsNoImageIsRefused() {
        assertThat(rejected("<html>not a photo</html>".getBytes(StandardCharsets.US_ASCII), "image/jpeg").code())
                .isEqualTo("not_an_image");
    }

    @Test
    void fewerBytesThanDeclaredIsASizeMismatch() {
        byte[] bytes = jpeg(50, 50);

        ImageVerifier.Rejected e = rejected(bytes, "image/jpeg", bytes.length + 1L);

        assertThat(e.code()).isEqualTo("size_mismatch");
        assertThat(e.getMessage()).contains(String.valueOf(bytes.length));
    }

    @Test
    void aDeclaredTypeWeDoNotTakeIsRefused() {
        assertThat(rejected(png(10, 10), "image/gif").code()).isEqualTo("unsupported_type");
    }

    @Test
    void moreThanTenMebibytesIsRefusedBeforeReading() {
        byte[] bytes = new byte[(int) Catalog.MAX_UPLOAD_BYTES + 1];
        bytes[0] = (byte) 0xFF;
        bytes[1] = (byte) 0xD8;
        bytes[2] = (byte) 0xFF;

        assertThat(rejected(bytes, "image/jpeg").code()).isEqualTo("too_large");
    }

    @Test
    void aTruncatedJpegIsUndecodable() {
        byte[] full = jpeg(400, 300);
        byte[] truncated = Arrays.copyOf(full, full.length / 2);

        assertThat(rejected(truncated, "image/jpeg").code()).isEqualTo("undecodable");
    }

    @Test
    void aJpegCutRightAfterItsMagicIsUndecodable() {
        byte[] truncated = Arrays.copyOf(jpeg(64, 64), 40);

        assertThat(rejected(truncated, "image/jpeg").code()).isEqualTo("undecodable");
    }

    @Test
    void aTruncatedPngIsUndecodable() {
        byte[] full = png(200, 200);

        assertThat(rejected(Arrays.copyOf(full, full.length / 2), "image/png").code()).isEqualTo("undecodable");
    }

    @Test
    void theLongestSideMayBe8000Pixels() throws Exception {
        byte[] bytes = png(8000, 1);

        assertThat(ImageVerifier.verify(bytes, "image/png", bytes.length).width()).isEqualTo(8000);
    }

    @Test
    void a8001PixelJpegIsTooLarge() {
        ImageVerifier.Rejected e = rejected(jpeg(2, 8001), "image/jpeg");

        assertThat(e.code()).isEqualTo("dimensions_too_large");
        assertThat(e.getMessage()).contains("8000");
    }

    @Test
    void hugeDimensionsAreRefusedFromTheHeaderWithoutDecoding() {
        // A PNG header claiming 8001×10 and then no pixel data at all: had it been decoded, it would
        // have been "undecodable"; it is refused from the header alone.
        assertThat(rejected(pngHeaderOnly(8001, 10), "image/png").code()).isEqualTo("dimensions_too_large");
        // A decompression bomb's header: 100,000 × 100,000 pixels.
        assertThat(rejected(pngHeaderOnly(100_000, 100_000), "image/png").code()).isEqualTo("dimensions_too_large");
    }

    @Test
    void aPngHeaderWithinLimitsButWithoutPixelsIsUndecodable() {
        assertThat(rejected(pngHeaderOnly(100, 100), "image/png").code()).isEqualTo("undecodable");
    }

    @Test
    void lossyWebpDimensionsAreReadFromTheVp8FrameHeader() throws Exception {
        // The top two bits of each VP8 dimension are a scale, not part of the size.
        byte[] webp = webpVp8(1024 | 1 << 14, 768 | 2 << 14);

        assertThat(ImageVerifier.verify(webp, "image/webp", webp.length))
                .isEqualTo(new ImageVerifier.Verified(ImageFormat.WEBP, 1024, 768));
    }

    @Test
    void losslessWebpDimensionsAreReadFromTheVp8lHeader() throws Exception {
        byte[] webp = webpVp8l(4000, 3000);

        assertThat(ImageVerifier.verify(webp, "image/webp", webp.length))
                .isEqualTo(new ImageVerifier.Verified(ImageFormat.WEBP, 4000, 3000));
    }

    @Test
    void extendedWebpDimensionsAreReadFromTheVp8xCanvas() throws Exception {
        byte[] webp = webpVp8x(1920, 1080);

        assertThat(ImageVerifier.verify(webp, "image/webp", webp.length))
                .isEqualTo(new ImageVerifier.Verified(ImageFormat.WEBP, 1920, 1080));
    }

    @Test
    void aWebpCanvasOver8000PixelsIsTooLarge() {
        assertThat(rejected(webpVp8x(16_000, 100), "image/webp").code()).isEqualTo("dimensions_too_large");
        assertThat(rejected(webpVp8l(8001, 100), "image/webp").code()).isEqualTo("dimensions_too_large");
    }

    @Test
    void aTruncatedWebpIsRefused() {
        byte[] full = webpVp8(640, 480);

        assertThat(rejected(Arrays.copyOf(full, full.length - 5), "image/webp").code()).isEqualTo("undecodable");
        assertThat(rejected(Arrays.copyOf(full, 20), "image/webp").code()).isEqualTo("undecodable");
    }

    @Test
    void aWebpWithADamagedFrameHeaderIsRefused() {
        byte[] webp = webpVp8(640, 480);
        webp[24] = 0x00;

        assertThat(rejected(webp, "image/webp").code()).isEqualTo("undecodable");
    }

    @Test
    void aWebpWithAnUnknownFirstChunkIsRefused() {
        byte[] webp = webpVp8(640, 480);
        System.arraycopy("ALPH".getBytes(StandardCharsets.US_ASCII), 0, webp, 12, 4);

        assertThat(rejected(webp, "image/webp").code()).isEqualTo("undecodable");
    }

    /** PNG signature and an IHDR chunk (with a correct CRC) claiming the given size; nothing after it. */
    static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17).order(ByteOrder.BIG_ENDIAN);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4).order(ByteOrder.BIG_ENDIAN);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        png.putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
        return png.array();
    }

    /** RIFF/WEBP container around one chunk whose payload the caller fills; sizes consistent. */
    private static ByteBuffer webp(String chunk, int payload) {
        int length = 20 + payload;
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(length - 8).put("WEBP".getBytes(StandardCharsets.US_ASCII));
        b.put(chunk.getBytes(StandardCharsets.US_ASCII)).putInt(payload);
        return b;
    }

    static byte[] webpVp8(int rawWidth, int rawHeight) {
        ByteBuffer b = webp("VP8 ", 30);
        b.put((byte) 0x50).put((byte) 0x02).put((byte) 0x00); // frame tag: key frame, shown
        b.put((byte) 0x9D).put((byte) 0x01).put((byte) 0x2A); // start code
        b.putShort((short) rawWidth).putShort((short) rawHeight);
        return b.array();
    }

    static byte[] webpVp8l(int width, int height) {
        ByteBuffer b = webp("VP8L", 20);
        b.put((byte) 0x2F);
        b.putInt((width - 1) | (height - 1) << 14);
        return b.array();
    }

    static byte[] webpVp8x(int width, int height) {
        ByteBuffer b = webp("VP8X", 10);
        b.putInt(0); // flags and reserved bits
        put24(b, width - 1);
        put24(b, height - 1);
        return b.array();
    }

    private static void put24(ByteBuffer b, int value) {
        b.put((byte) value).put((byte) (value >> 8)).put((byte) (value >> 16));
    }
}
