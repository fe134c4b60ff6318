// unit: Replicate stand-in over loopback HTTP
package ai.realstaging.local.replicate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pieces under the HTTP layer: WebP header sizes, Cancel-After durations, painting. */
class ReplicateStagingPainterTest {

  @Test
  void webpSizeReadsVp8Vp8lAndVp8xHeaders() {
    assertThat(StagingPainter.webpSize(vp8xHeader(800, 600))).containsExactly(800, 600);

    ByteBuffer lossy = riff("VP8 ");
    lossy.position(23).put(new byte[] {(byte) 0x9d, 0x01, 0x2a}).putShort((short) 1024).putShort((short) 768);
    assertThat(StagingPainter.webpSize(lossy.array())).containsExactly(1024, 768);

    ByteBuffer lossless = riff("VP8L");
    lossless.position(20).put((byte) 0x2f).putInt((640 - 1) | ((480 - 1) << 14));
    assertThat(StagingPainter.webpSize(lossless.array())).containsExactly(640, 480);

    assertThat(StagingPainter.webpSize("GIF89a not a webp at all, no header".getBytes(StandardCharsets.US_ASCII))).isNull();
  }

  @ParameterizedTest
  @CsvSource({"30s, 30", "1m, 60", "1m30s, 90", "2h, 7200", "45, 45", "1h30m45s, 5445", "1.5m, 90", "5000ms, 5"})
  void cancelAfterTakesGoStyleDurations(String text, long seconds) {
    assertThat(ReplicateStandIn.parseDuration(text)).isEqualTo(Duration.ofSeconds(seconds));
  }

  @Test
  void nonsenseDurationsAreRejected() {
    for (String bad : new String[] {"", "m", "5 m", "1d", "abc", "5s5"}) {
      assertThat(ReplicateStandIn.parseDuration(bad)).as(bad).isNull();
    }
  }

  @Test
  void paintingWithoutAnInputPhotoDrawsAStagedRoomAnyway() throws Exception {
    var image = StagingPainter.paint(null, 320, 200, 1);
    assertThat(image.getWidth()).isEqualTo(320);
    assertThat(StagingPainter.encode(image, "jpg", 80)).startsWith((byte) 0xff, (byte) 0xd8);
    assertThat(StagingPainter.encode(image, "png", 0)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    assertThat(StagingPainter.encode(image, "webp", 0)).startsWith((byte) 'R', (byte) 'I', (byte) 'F', (byte) 'F');
  }

  /** A WebP file that is only a VP8X header: enough for the stand-in, which reads the size only. */
  static byte[] vp8xHeader(int width, int height) {
    ByteBuffer b = riff("VP8X");
    b.position(24);
    b.put((byte) (width - 1)).put((byte) ((width - 1) >> 8)).put((byte) ((width - 1) >> 16));
    b.put((byte) (height - 1)).put((byte) ((height - 1) >> 8)).put((byte) ((height - 1) >> 16));
    return b.array();
  }

  private static ByteBuffer riff(String chunk) {
    ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(32).put("WEBP".getBytes(StandardCharsets.US_ASCII));
    b.put(chunk.getBytes(StandardCharsets.US_ASCII)).putInt(20);
    return b;
  }
}
