// unit: the "Virtually staged" label, checked on the encoded bytes of JPEG, PNG and WebP photos
package ai.realstaging.common.staging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class DisclosureLabelTest {

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    private static BufferedImage read(byte[] bytes, ImageFormat format) throws IOException {
        return format == ImageFormat.WEBP ? WebpLossless.decode(bytes) : ImageIO.read(new ByteArrayInputStream(bytes));
    }

    /** A light, even photo, so the dark box and the white text stand out wherever they are. */
    private static BufferedImage light(int w, int h, int type) {
        BufferedImage image = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) image.setRGB(x, y, 0xFFC8C0B4);
        return image;
    }

    private static int luma(int rgb) {
        return (((rgb >> 16) & 0xFF) * 299 + ((rgb >> 8) & 0xFF) * 587 + (rgb & 0xFF) * 114) / 1000;
    }

    /** Mean brightness of the label box, and how many of its pixels are near white (the text). */
    private static double[] box(BufferedImage image) {
        DisclosureLabel.Placement p = DisclosureLabel.placement(image.getWidth(), image.getHeight());
        long sum = 0;
        int white = 0;
        for (int y = p.y(); y < p.y() + p.height(); y++) {
            for (int x = p.x(); x < p.x() + p.width(); x++) {
                int l = luma(image.getRGB(x, y));
                sum += l;
                if (l > 230) white++;
            }
        }
        return new double[] {sum / (double) (p.width() * p.height()), white};
    }

    @Test
    void aPngGetsTheLabelInTheBottomRightCornerAndNothingElseChanges() throws Exception {
        BufferedImage photo = light(1024, 768, BufferedImage.TYPE_INT_RGB);

        byte[] labelled = DisclosureLabel.apply(encode(photo, "png"), ImageFormat.PNG);

        assertThat(ImageFormat.sniff(labelled)).contains(ImageFormat.PNG);
        BufferedImage out = read(labelled, ImageFormat.PNG);
        DisclosureLabel.Placement p = DisclosureLabel.placement(1024, 768);
        assertThat(p.x() + p.width()).isBetween(1024 - 12, 1024 - 2);
        assertThat(p.y() + p.height()).isBetween(768 - 12, 768 - 2);
        assertThat(p.width()).isBetween(1024 / 8, 1024 / 4);
        int changed = 0;
        for (int y = 0; y < 768; y++) {
            for (int x = 0; x < 1024; x++) {
                boolean inside = x >= p.x() && x < p.x() + p.width() && y >= p.y() && y < p.y() + p.height();
                if (out.getRGB(x, y) != photo.getRGB(x, y)) {
                    assertThat(inside).as("pixel %d,%d outside the label changed", x, y).isTrue();
                    changed++;
                }
            }
        }
        assertThat(changed).isEqualTo(p.width() * p.height());
        double[] box = box(out);
        assertThat(box[0]).as("a dark box").isLessThan(luma(0xC8C0B4) * 0.6);
        assertThat(box[1]).as("white text pixels").isGreaterThan(p.width() * p.height() * 0.1);
    }

    @Test
    void aJpegStaysAJpegWithTheLabel() throws Exception {
        byte[] labelled = DisclosureLabel.apply(encode(light(800, 600, BufferedImage.TYPE_INT_RGB), "jpeg"), ImageFormat.JPEG);

        assertThat(ImageFormat.sniff(labelled)).contains(ImageFormat.JPEG);
        BufferedImage out = read(labelled, ImageFormat.JPEG);
        assertThat(out.getWidth()).isEqualTo(800);
        double[] box = box(out);
        assertThat(box[0]).isLessThan(luma(0xC8C0B4) * 0.7);
        assertThat(box[1]).isGreaterThan(100);
        assertThat(luma(out.getRGB(10, 10))).as("far from the label").isBetween(luma(0xC8C0B4) - 4, luma(0xC8C0B4) + 4);
    }

    @Test
    void aLossyWebpStaysAWebpWithTheLabel() throws Exception {
        // A lossy (VP8) WebP made by libwebp's cwebp, as a model would answer.
        byte[] lossy = DisclosureLabelTest.class.getResourceAsStream("/images/room-lossy.webp").readAllBytes();
        assertThat(new String(lossy, 12, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("VP8 ");

        byte[] labelled = DisclosureLabel.apply(lossy, ImageFormat.WEBP);

        assertThat(ImageFormat.sniff(labelled)).contains(ImageFormat.WEBP);
        BufferedImage before = read(lossy, ImageFormat.WEBP);
        BufferedImage out = read(labelled, ImageFormat.WEBP);
        assertThat(out.getWidth()).isEqualTo(before.getWidth());
        assertThat(box(out)[0]).isLessThan(box(before)[0] * 0.6);
        assertThat(out.getRGB(5, 5)).as("the rest is kept exactly (lossless)").isEqualTo(before.getRGB(5, 5));
    }

    @Test
    void aTransparentPngKeepsItsAlpha() throws Exception {
        BufferedImage photo = light(300, 200, BufferedImage.TYPE_INT_ARGB);
        photo.setRGB(0, 0, 0x00000000);

        BufferedImage out = read(DisclosureLabel.apply(encode(photo, "png"), ImageFormat.PNG), ImageFormat.PNG);

        assertThat(out.getColorModel().hasAlpha()).isTrue();
        assertThat(out.getRGB(0, 0) >>> 24).isZero();
    }

    @Test
    void aTinyImageStillGetsALabelThatFits() throws Exception {
        BufferedImage out = read(DisclosureLabel.apply(encode(light(120, 40, BufferedImage.TYPE_INT_RGB), "png"),
                ImageFormat.PNG), ImageFormat.PNG);

        assertThat(box(out)[1]).isPositive();
    }

    @Test
    void bytesThatDoNotDecodeAreRefused() {
        assertThatThrownBy(() -> DisclosureLabel.apply(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2}, ImageFormat.JPEG))
                .isInstanceOf(IOException.class);
    }
}
