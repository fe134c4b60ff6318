package ai.realstaging.common.staging;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Burns a small "Virtually staged" label into the bottom-right corner of a staged photo, as MLS
 * rules ask of digitally altered listing photos (PLATFORM.md 5.6), keeping the photo's format.
 * The text is drawn from a built-in bitmap font: Lambda's Java runtime has no system fonts, and
 * the same pixels on every machine make the label testable.
 */
public final class DisclosureLabel {
    public static final String TEXT = "Virtually staged";
    /** Glyph cell: 5 columns, 9 rows (7 above the baseline, 2 for descenders); one blank column between. */
    static final int GLYPH_W = 5;
    static final int GLYPH_H = 9;
    private static final float JPEG_QUALITY = 0.92f;
    /** White text on black at 60% opacity: readable on any photo, hides little of it. */
    static final int TEXT_RGB = 0xFFFFFF;
    static final double BOX_OPACITY = 0.6;

    private static final Map<Character, String[]> FONT = Map.ofEntries(
            Map.entry('V', new String[] {"X...X", "X...X", "X...X", "X...X", ".X.X.", ".X.X.", "..X..", ".....", "....."}),
            Map.entry('i', new String[] {"..X..", ".....", ".XX..", "..X..", "..X..", "..X..", ".XXX.", ".....", "....."}),
            Map.entry('r', new String[] {".....", ".....", "X.XX.", "XX..X", "X....", "X....", "X....", ".....", "....."}),
            Map.entry('t', new String[] {".X...", ".X...", "XXXX.", ".X...", ".X...", ".X..X", "..XX.", ".....", "....."}),
            Map.entry('u', new String[] {".....", ".....", "X...X", "X...X", "X...X", "X..XX", ".XX.X", ".....", "....."}),
            Map.entry('a', new String[] {".....", ".....", ".XXX.", "....X", ".XXXX", "X...X", ".XXXX", ".....", "....."}),
            Map.entry('l', new String[] {".XX..", "..X..", "..X..", "..X..", "..X..", "..X..", ".XXX.", ".....", "....."}),
            Map.entry('y', new String[] {".....", ".....", "X...X", "X...X", "X...X", "X...X", ".XXXX", "....X", ".XXX."}),
            Map.entry('s', new String[] {".....", ".....", ".XXXX", "X....", ".XXX.", "....X", "XXXX.", ".....", "....."}),
            Map.entry('g', new String[] {".....", ".....", ".XXXX", "X...X", "X...X", "X...X", ".XXXX", "....X", ".XXX."}),
            Map.entry('e', new String[] {".....", ".....", ".XXX.", "X...X", "XXXXX", "X....", ".XXX.", ".....", "....."}),
            Map.entry('d', new String[] {"....X", "....X", ".XXXX", "X...X", "X...X", "X...X", ".XXXX", ".....", "....."}),
            Map.entry(' ', new String[] {".....", ".....", ".....", ".....", ".....", ".....", ".....", ".....", "....."}));

    private DisclosureLabel() {}

    /** Where the label sits in an image of this size: the box, in pixels, and the size of one font pixel. */
    public record Placement(int x, int y, int width, int height, int scale) {}

    /** About a fifth of the image's width, never smaller than the 1:1 font, in from the corner by 1%. */
    public static Placement placement(int imageWidth, int imageHeight) {
        int columns = TEXT.length() * (GLYPH_W + 1) - 1;
        int scale = Math.max(1, (int) Math.round(imageWidth * 0.18 / columns));
        int pad = 2 * scale;
        int width = columns * scale + 2 * pad;
        int height = GLYPH_H * scale + 2 * pad;
        int margin = Math.max(2, Math.min(imageWidth, imageHeight) / 100);
        return new Placement(Math.max(0, imageWidth - width - margin), Math.max(0, imageHeight - height - margin),
                Math.min(width, imageWidth), Math.min(height, imageHeight), scale);
    }

    /**
     * The photo with the label burned in, encoded again in its own format (JPEG at quality 0.92,
     * PNG losslessly with its alpha). WebP has no encoder in the JDK: see {@link WebpLossless}.
     */
    public static byte[] apply(byte[] image, ImageFormat format) throws IOException {
        BufferedImage decoded = format == ImageFormat.WEBP ? WebpLossless.decode(image)
                : ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(image)));
        if (decoded == null) {
            throw new IOException("the " + format + " image cannot be decoded");
        }
        draw(decoded);
        return switch (format) {
            case JPEG -> jpeg(decoded);
            case PNG -> png(decoded);
            case WEBP -> WebpLossless.encode(decoded);
        };
    }

    /** Draws the label onto the image in place. */
    static void draw(BufferedImage image) {
        Placement p = placement(image.getWidth(), image.getHeight());
        for (int y = p.y(); y < p.y() + p.height(); y++) {
            for (int x = p.x(); x < p.x() + p.width(); x++) {
                image.setRGB(x, y, darken(image.getRGB(x, y)));
            }
        }
        int pad = 2 * p.scale();
        int penX = p.x() + pad;
        int top = p.y() + pad;
        for (char ch : TEXT.toCharArray()) {
            String[] glyph = FONT.get(ch);
            for (int row = 0; row < GLYPH_H; row++) {
                for (int col = 0; col < GLYPH_W; col++) {
                    if (glyph[row].charAt(col) != 'X') continue;
                    for (int dy = 0; dy < p.scale(); dy++) {
                        for (int dx = 0; dx < p.scale(); dx++) {
                            int x = penX + col * p.scale() + dx;
                            int y = top + row * p.scale() + dy;
                            if (x < image.getWidth() && y < image.getHeight()) {
                                image.setRGB(x, y, (image.getRGB(x, y) & 0xFF000000) | TEXT_RGB);
                            }
                        }
                    }
                }
            }
            penX += (GLYPH_W + 1) * p.scale();
        }
    }

    /** Blends a pixel toward black by {@link #BOX_OPACITY}, keeping its alpha. */
    static int darken(int argb) {
        int r = (int) Math.round(((argb >> 16) & 0xFF) * (1 - BOX_OPACITY));
        int g = (int) Math.round(((argb >> 8) & 0xFF) * (1 - BOX_OPACITY));
        int b = (int) Math.round((argb & 0xFF) * (1 - BOX_OPACITY));
        return (argb & 0xFF000000) | (r << 16) | (g << 8) | b;
    }

    private static byte[] jpeg(BufferedImage image) throws IOException {
        BufferedImage rgb = image;
        if (image.getColorModel().hasAlpha()) {
            rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
            rgb.getGraphics().drawImage(image, 0, 0, null);
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // In memory: ImageIO's default stream for a byte array spools through a temporary file.
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            writer.write(null, new IIOImage(rgb, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(image);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
