// unit: recognising image formats from their first bytes
package ai.realstaging.common.staging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ImageFormatTest {

    @Test
    void jpegPngAndWebpAreRecognisedByTheirMagicBytes() {
        assertThat(ImageFormat.sniff(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0})).contains(ImageFormat.JPEG);
        assertThat(ImageFormat.sniff(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A})).contains(ImageFormat.PNG);
        assertThat(ImageFormat.sniff("RIFF\u0024\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1))).contains(ImageFormat.WEBP);
    }

    @Test
    void otherOrTooShortContentIsNoImage() {
        assertThat(ImageFormat.sniff(new byte[0])).isEmpty();
        assertThat(ImageFormat.sniff(new byte[] {(byte) 0xFF, (byte) 0xD8})).isEmpty();
        assertThat(ImageFormat.sniff("GIF89a....".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThat(ImageFormat.sniff("RIFF\0\0\0\0WAVEfmt ".getBytes(StandardCharsets.ISO_8859_1))).isEmpty();
        assertThat(ImageFormat.sniff("<html><body>".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThat(ImageFormat.sniff(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A})).isEmpty();
    }

    @Test
    void contentTypesMapToFormatsAndExtensions() {
        assertThat(ImageFormat.ofContentType("IMAGE/PNG")).contains(ImageFormat.PNG);
        assertThat(ImageFormat.ofContentType("image/gif")).isEmpty();
        assertThat(ImageFormat.JPEG.extension()).isEqualTo("jpg");
        assertThat(ImageFormat.WEBP.contentType()).isEqualTo("image/webp");
    }
}
