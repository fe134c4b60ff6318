package ai.realstaging.common.staging;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Checks an uploaded photo before any model money is spent: the size as declared, the first bytes
 * match the declared type, the longest side within limits, and the pixels decode. Dimensions are
 * read from the header before decoding, so a decompression bomb is refused without being inflated.
 */
public final class ImageVerifier {

    /** What a verified photo is. */
    public record Verified(ImageFormat format, int width, int height) {}

    /** Why a photo was refused, in words a user can act on. */
    public static final class Rejected extends Exception {
        private final String code;

        public Rejected(String code, String message) {
            super(message);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private ImageVerifier() {}

    public static Verified verify(byte[] bytes, String declaredType, long declaredSize) throws Rejected {
        if (bytes.length != declaredSize) {
            throw new Rejected("size_mismatch",
                    "The uploaded file has " + bytes.length + " bytes but " + declaredSize + " were declared");
        }
        if (bytes.length > Catalog.MAX_UPLOAD_BYTES) {
            throw new Rejected("too_large", "The file is larger than 10 MiB");
        }
        ImageFormat declared = ImageFormat.ofContentType(declaredType)
                .orElseThrow(() -> new Rejected("unsupported_type", "Only JPEG, PNG and WebP photos are accepted"));
        ImageFormat actual = ImageFormat.sniff(bytes).orElseThrow(() -> new Rejected("not_an_image",
                "The file is not a JPEG, PNG or WebP image"));
        if (actual != declared) {
            throw new Rejected("type_mismatch", "The file is a " + actual.name() + " image but was declared as "
                    + declared.contentType());
        }
        return actual == ImageFormat.WEBP ? verifyWebp(bytes) : verifyWithImageIo(bytes, actual);
    }

    private static Verified verifyWithImageIo(byte[] bytes, ImageFormat format) throws Rejected {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new Rejected("undecodable", "The image could not be read");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                // The JPEG reader decodes a truncated file "successfully" (grey where data is missing)
                // and only warns; a cut-off upload must be refused, not staged.
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                checkDimensions(width, height);
                // Decoding every pixel of a large photo costs memory for nothing: sampling proves it decodes.
                ImageReadParam param = reader.getDefaultReadParam();
                int step = Math.max(1, Math.max(width, height) / 1024);
                param.setSourceSubsampling(step, step, 0, 0);
                BufferedImage image = reader.read(0, param);
                if (image == null) {
                    throw new Rejected("undecodable", "The image could not be decoded");
                }
                if (warnings.stream().anyMatch(ImageVerifier::meansTruncated)) {
                    throw new Rejected("undecodable", "The image is damaged or incomplete and could not be decoded");
                }
                return new Verified(format, width, height);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new Rejected("undecodable", "The image is damaged or incomplete and could not be decoded");
        }
    }

    /**
     * The JDK has no WebP decoder: the RIFF container and the VP8/VP8L/VP8X frame header are checked
     * (sizes, signatures, dimensions) instead of the pixels.
     */
    static Verified verifyWebp(byte[] b) throws Rejected {
        if (b.length < 30) {
            throw new Rejected("undecodable", "The WebP image is truncated");
        }
        long riffSize = le32(b, 4);
        if (riffSize + 8 != b.length) {
            throw new Rejected("undecodable", "The WebP image is truncated or has trailing data");
        }
        String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.US_ASCII);
        int width;
        int height;
        switch (chunk) {
            case "VP8 " -> {
                if ((b[23] & 0xFF) != 0x9D || (b[24] & 0xFF) != 0x01 || (b[25] & 0xFF) != 0x2A) {
                    throw new Rejected("undecodable", "The WebP image has a damaged frame header");
                }
                width = le16(b, 26) & 0x3FFF;
                height = le16(b, 28) & 0x3FFF;
            }
            case "VP8L" -> {
                if ((b[20] & 0xFF) != 0x2F) {
                    throw new Rejected("undecodable", "The WebP image has a damaged lossless header");
                }
                long bits = le32(b, 21);
                width = (int) (bits & 0x3FFF) + 1;
                height = (int) ((bits >> 14) & 0x3FFF) + 1;
            }
            case "VP8X" -> {
                width = le24(b, 24) + 1;
                height = le24(b, 27) + 1;
            }
            default -> throw new Rejected("undecodable", "The WebP image has an unknown frame type");
        }
        checkDimensions(width, height);
        return new Verified(ImageFormat.WEBP, width, height);
    }

    private static boolean meansTruncated(String warning) {
        String w = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
        return w.contains("truncated") || w.contains("premature end");
    }

    private static void checkDimensions(int width, int height) throws Rejected {
        if (width <= 0 || height <= 0) {
            throw new Rejected("undecodable", "The image has no pixels");
        }
        if (Math.max(width, height) > Catalog.MAX_SIDE_PX) {
            throw new Rejected("dimensions_too_large", "The image is " + width + "×" + height
                    + " px; the longest side may be at most " + Catalog.MAX_SIDE_PX + " px");
        }
    }

    private static int le16(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
    }

    private static int le24(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16;
    }

    private static long le32(byte[] b, int i) {
        return (b[i] & 0xFFL) | (b[i + 1] & 0xFFL) << 8 | (b[i + 2] & 0xFFL) << 16 | (b[i + 3] & 0xFFL) << 24;
    }
}
