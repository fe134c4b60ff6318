// unit: the lossless WebP encoder, checked by an independent decoder (TwelveMonkeys) pixel for pixel
package ai.realstaging.common.staging;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WebpLosslessTest {

    /** A photo-like image: gradients, a window, noise; alpha optional. */
    static BufferedImage photo(int w, int h, boolean withAlpha, long seed) {
        BufferedImage image = new BufferedImage(w, h, withAlpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (x * 255 / Math.max(1, w - 1) + random.nextInt(7)) & 0xFF;
                int g = (y * 255 / Math.max(1, h - 1) + random.nextInt(5)) & 0xFF;
                int b = (x > w / 3 && x < 2 * w / 3 && y < h / 2) ? 230 : (128 + random.nextInt(40));
                int a = withAlpha ? (x + y) % 256 : 255;
                image.setRGB(x, y, a << 24 | r << 16 | g << 8 | b);
            }
        }
        return image;
    }

    private static void assertSamePixels(BufferedImage expected, BufferedImage actual, boolean compareAlpha) {
        assertThat(actual.getWidth()).isEqualTo(expected.getWidth());
        assertThat(actual.getHeight()).isEqualTo(expected.getHeight());
        int mask = compareAlpha ? 0xFFFFFFFF : 0x00FFFFFF;
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                int e = expected.getRGB(x, y) & mask;
                int a = actual.getRGB(x, y) & mask;
                if (e != a) {
                    throw new AssertionError("pixel " + x + "," + y + ": expected " + Integer.toHexString(e) + " got "
                            + Integer.toHexString(a));
                }
            }
        }
    }

    @Test
    void anOpaquePhotoRoundTripsExactly() throws Exception {
        BufferedImage photo = photo(701, 433, false, 1);

        byte[] webp = WebpLossless.encode(photo);

        assertThat(ImageFormat.sniff(webp)).contains(ImageFormat.WEBP);
        assertThat(new String(webp, 12, 4, StandardCharsets.US_ASCII)).isEqualTo("VP8L");
        assertThat(ByteBuffer.wrap(webp, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(webp.length - 8);
        assertSamePixels(photo, WebpLossless.decode(webp), true);
        // Smaller than the raw pixels: the transforms and prefix codes do their work.
        assertThat(webp.length).isLessThan(701 * 433 * 3);
    }

    @Test
    void transparencyIsKept() throws Exception {
        BufferedImage photo = photo(130, 77, true, 2);

        BufferedImage decoded = WebpLossless.decode(WebpLossless.encode(photo));

        assertThat(decoded.getColorModel().hasAlpha()).isTrue();
        assertSamePixels(photo, decoded, true);
    }

    @Test
    void flatAndTinyImagesUseTheOneAndTwoSymbolCodes() throws Exception {
        BufferedImage flat = new BufferedImage(64, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) for (int x = 0; x < 64; x++) flat.setRGB(x, y, 0x336699);
        BufferedImage one = photo(1, 1, false, 3);
        BufferedImage stripes = new BufferedImage(9, 5, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 5; y++) for (int x = 0; x < 9; x++) stripes.setRGB(x, y, x % 2 == 0 ? 0 : 0xFFFFFF);

        for (BufferedImage image : new BufferedImage[] {flat, one, stripes}) {
            assertSamePixels(image, WebpLossless.decode(WebpLossless.encode(image)), true);
        }
    }

    @Test
    void imagesSpanningSeveralPredictorTilesRoundTrip() throws Exception {
        BufferedImage wide = photo(1100, 530, false, 4);

        assertSamePixels(wide, WebpLossless.decode(WebpLossless.encode(wide)), true);
    }

    @Test
    void prefixCodeLengthsNeverExceedTheLimit() {
        int[] counts = new int[256];
        for (int i = 0; i < counts.length; i++) counts[i] = i < 40 ? 1 << Math.min(30, i) : 0;

        int[] lengths = WebpLossless.PrefixCode.lengths(counts, 15);

        assertThat(java.util.Arrays.stream(lengths).max().orElseThrow()).isLessThanOrEqualTo(15);
        double kraft = java.util.Arrays.stream(lengths).filter(l -> l > 0).mapToDouble(l -> Math.pow(2, -l)).sum();
        assertThat(kraft).as("a complete prefix code").isEqualTo(1.0);
    }
}
