package ai.realstaging.local.replicate;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import ai.realstaging.common.staging.WebpLossless;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Draws the stand-in's "staged" result: the input photo with a warm grade, simple furniture in the
 * lower part and a small STAGED tag, all deterministic from a seed, so tests can tell it changed.
 */
final class StagingPainter {

  static {
    // The stand-in runs inside servers and CI without a display.
    System.setProperty("java.awt.headless", "true");
  }

  private static final System.Logger LOG = System.getLogger(StagingPainter.class.getName());
  /** Refuse to allocate canvases beyond this (a hostile WebP header could claim 16k x 16k). */
  private static final long MAX_PIXELS = 64L * 1024 * 1024;

  /** A decoded input: the pixels, or only the size when ImageIO could not decode it (WebP). */
  record Decoded(BufferedImage image, int width, int height) {}

  private StagingPainter() {}

  static Decoded decode(byte[] bytes) throws IOException {
    BufferedImage image;
    try {
      // WebP decodes through TwelveMonkeys (common's dependency); a memory-cached stream, or ImageIO
      // spools to temp files; read(ImageInputStream) closes it itself.
      image = webpSize(bytes) != null ? WebpLossless.decode(bytes)
          : ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes)));
    } catch (IOException e) {
      image = null;
    }
    if (image != null) return new Decoded(image, image.getWidth(), image.getHeight());
    int[] size = webpSize(bytes);
    if (size == null) throw new IOException("cannot identify image file");
    LOG.log(System.Logger.Level.INFO, "Input is a WebP ({0}x{1}) whose pixels do not decode, so the stand-in "
        + "draws on a neutral canvas of that size", size[0], size[1]);
    return new Decoded(null, size[0], size[1]);
  }

  /** Width and height from a WebP RIFF header (VP8, VP8L or VP8X chunk), or null if it is not WebP. */
  static int[] webpSize(byte[] b) {
    if (b.length < 30 || !ascii(b, 0, "RIFF") || !ascii(b, 8, "WEBP")) return null;
    int p = 20; // first chunk's payload
    if (ascii(b, 12, "VP8 ") && (b[p + 3] & 0xff) == 0x9d && (b[p + 4] & 0xff) == 0x01 && (b[p + 5] & 0xff) == 0x2a) {
      return new int[] {le(b, p + 6, 2) & 0x3fff, le(b, p + 8, 2) & 0x3fff};
    }
    if (ascii(b, 12, "VP8L") && (b[p] & 0xff) == 0x2f) {
      int bits = le(b, p + 1, 4);
      return new int[] {(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1};
    }
    if (ascii(b, 12, "VP8X")) return new int[] {le(b, p + 4, 3) + 1, le(b, p + 7, 3) + 1};
    return null;
  }

  /** Paints the staged result at {@code width x height}; {@code input} may be null (text-to-image). */
  static BufferedImage paint(Decoded input, int width, int height, long seed) throws IOException {
    if (width < 1 || height < 1 || (long) width * height > MAX_PIXELS) {
      throw new IOException("image too large: " + width + "x" + height);
    }
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    if (input != null && input.image() != null) {
      // Cover-scale, like a model asked for another aspect ratio would crop.
      double scale = Math.max((double) width / input.width(), (double) height / input.height());
      int w = (int) Math.ceil(input.width() * scale), h = (int) Math.ceil(input.height() * scale);
      g.drawImage(input.image(), (width - w) / 2, (height - h) / 2, w, h, null);
    } else {
      g.setPaint(new GradientPaint(0, 0, new Color(0xD9D6D0), 0, height * 0.6f, new Color(0xC9C3B8)));
      g.fillRect(0, 0, width, height);
      g.setColor(new Color(0xB59B7C));
      g.fillRect(0, (int) (height * 0.6), width, height);
    }
    g.dispose();
    warmGrade(out);
    g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    furnish(g, width, height, new Random(seed));
    tag(g, width, height);
    g.dispose();
    return out;
  }

  /** JPEG at {@code quality} (0–100), PNG, or lossless WebP (our own encoder: ImageIO has no WebP writer). */
  static byte[] encode(BufferedImage image, String format, int quality) throws IOException {
    if (format.equals("webp")) return WebpLossless.encode(image);
    boolean jpeg = !format.equals("png");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageWriter writer = ImageIO.getImageWritersByFormatName(jpeg ? "jpeg" : "png").next();
    try (var out = new MemoryCacheImageOutputStream(bytes)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (jpeg) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(Math.clamp(quality / 100f, 0f, 1f));
      }
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** A golden-hour grade: more red, a little more green, less blue. */
  private static void warmGrade(BufferedImage img) {
    int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
    for (int n = 0; n < px.length; n++) {
      int r = (px[n] >> 16) & 0xff, g = (px[n] >> 8) & 0xff, b = px[n] & 0xff;
      r = Math.min(255, (int) (r * 1.08 + 16));
      g = Math.min(255, (int) (g * 1.02 + 6));
      b = (int) (b * 0.84);
      px[n] = (r << 16) | (g << 8) | b;
    }
  }

  private static final int[] FABRICS = {0x3E5C76, 0x7A8B69, 0xB4654A, 0x5B4B6B, 0xC9A66B, 0x2F4F4F};
  private static final int[] RUGS = {0xA44A3F, 0xE3D5B8, 0x35524A, 0x8C6A5D};

  /** A rug, a sofa with cushions, a floor lamp and a plant in the lower part, placed and coloured from the seed. */
  private static void furnish(Graphics2D g, int w, int h, Random rnd) {
    double u = Math.min(w, h), floor = h * (0.60 + rnd.nextDouble() * 0.06), cx = w * (0.45 + rnd.nextDouble() * 0.10);
    Color rug = new Color(RUGS[rnd.nextInt(RUGS.length)]);
    g.setColor(rug);
    g.fill(new Ellipse2D.Double(cx - w * 0.34, h * 0.80, w * 0.68, h * 0.17));
    g.setColor(rug.brighter());
    g.setStroke(new BasicStroke((float) Math.max(2, u * 0.012)));
    g.draw(new Ellipse2D.Double(cx - w * 0.28, h * 0.825, w * 0.56, h * 0.12));

    Color fabric = new Color(FABRICS[rnd.nextInt(FABRICS.length)]);
    double sw = w * (0.42 + rnd.nextDouble() * 0.10), sx = cx - sw / 2, arm = sw * 0.09, seat = h * 0.11, back = h * 0.12, r = u * 0.03;
    g.setColor(fabric.darker());
    g.fill(new RoundRectangle2D.Double(sx + arm * 0.6, floor - back, sw - arm * 1.2, back + seat / 2, r, r));
    g.setColor(fabric);
    g.fill(new RoundRectangle2D.Double(sx, floor, sw, seat, r, r));
    for (double ax : new double[] {sx - arm * 0.2, sx + sw - arm * 0.8}) {
      g.fill(new RoundRectangle2D.Double(ax, floor - back * 0.35, arm, seat + back * 0.35, r, r));
    }
    for (int c = 0; c < 2; c++) {
      g.setColor(new Color(FABRICS[rnd.nextInt(FABRICS.length)]).brighter());
      g.fill(new RoundRectangle2D.Double(sx + arm + c * (sw - 2 * arm) / 2 + sw * 0.03, floor - back * 0.55,
          (sw - 2 * arm) / 2 - sw * 0.06, back / 2, r, r));
    }

    double lx = Math.min(w * 0.93, sx + sw + w * 0.07), top = floor - h * 0.30, shade = u * 0.09;
    g.setColor(new Color(0x2B2B2B));
    g.setStroke(new BasicStroke((float) Math.max(2, u * 0.008)));
    g.draw(new Line2D.Double(lx, top, lx, floor + seat));
    g.fill(new Ellipse2D.Double(lx - u * 0.04, floor + seat - u * 0.012, u * 0.08, u * 0.024));
    g.setColor(new Color(0xF3E3B5));
    g.fill(quad(lx - u * 0.035, top - shade, lx + u * 0.035, lx + u * 0.06, top, lx - u * 0.06));

    double px = Math.max(w * 0.05, sx - w * 0.12), pot = u * 0.09, potTop = floor + seat * 0.2;
    g.setColor(new Color(0x9C5B3B));
    g.fill(quad(px, potTop, px + pot, px + pot * 0.85, potTop + pot * 1.1, px + pot * 0.15));
    for (int leaf = 0; leaf < 7; leaf++) {
      g.setColor(new Color(40 + rnd.nextInt(40), 110 + rnd.nextInt(60), 50 + rnd.nextInt(30)));
      double len = u * (0.08 + rnd.nextDouble() * 0.07);
      AffineTransform at = AffineTransform.getTranslateInstance(px + pot / 2, potTop);
      at.rotate((rnd.nextDouble() - 0.5) * 1.8);
      g.fill(at.createTransformedShape(new Ellipse2D.Double(-len * 0.18, -len, len * 0.36, len)));
    }
  }

  /** A trapezoid: top edge from (x1, y1) to (x2, y1), bottom edge from (x3, y2) back to (x4, y2). */
  private static Path2D quad(double x1, double y1, double x2, double x3, double y2, double x4) {
    Path2D p = new Path2D.Double();
    p.moveTo(x1, y1);
    p.lineTo(x2, y1);
    p.lineTo(x3, y2);
    p.lineTo(x4, y2);
    p.closePath();
    return p;
  }

  /** Stroke glyphs on a 4x6 grid, so the tag needs no fonts (CI machines may have none). */
  private static final int[][][] STAGED = {
      {{4, 0, 0, 0, 0, 3, 4, 3, 4, 6, 0, 6}},
      {{0, 0, 4, 0}, {2, 0, 2, 6}},
      {{0, 6, 0, 0, 4, 0, 4, 6}, {0, 3, 4, 3}},
      {{4, 0, 0, 0, 0, 6, 4, 6, 4, 3, 2, 3}},
      {{4, 0, 0, 0, 0, 6, 4, 6}, {0, 3, 3, 3}},
      {{0, 0, 3, 0, 4, 1, 4, 5, 3, 6, 0, 6, 0, 0}}};

  private static void tag(Graphics2D g, int w, int h) {
    double cell = Math.max(1.5, Math.min(w, h) * 0.006), pad = cell * 2;
    double tw = STAGED.length * 6 * cell - 2 * cell + 2 * pad, th = 6 * cell + 2 * pad, x = cell * 4, y = cell * 4;
    g.setColor(new Color(255, 255, 255, 220));
    g.fill(new RoundRectangle2D.Double(x, y, tw, th, pad, pad));
    g.setColor(new Color(0x1F3A5F));
    g.setStroke(new BasicStroke((float) Math.max(1, cell * 0.8), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    for (int c = 0; c < STAGED.length; c++) {
      for (int[] line : STAGED[c]) {
        Path2D path = new Path2D.Double();
        double ox = x + pad + c * 6 * cell, oy = y + pad;
        path.moveTo(ox + line[0] * cell, oy + line[1] * cell);
        for (int k = 2; k < line.length; k += 2) path.lineTo(ox + line[k] * cell, oy + line[k + 1] * cell);
        g.draw(path);
      }
    }
  }

  private static boolean ascii(byte[] b, int at, String s) {
    return b.length >= at + s.length() && new String(b, at, s.length(), StandardCharsets.ISO_8859_1).equals(s);
  }

  private static int le(byte[] b, int at, int n) {
    int v = 0;
    for (int k = n - 1; k >= 0; k--) v = (v << 8) | (b[at + k] & 0xff);
    return v;
  }
}
