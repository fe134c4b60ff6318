package ai.realstaging.local;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Test photos of an empty room, made in code, and a pixel-difference measure. */
final class Photos {
    private Photos() {}

    static byte[] emptyRoom(int width, int height, String format) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(236, 232, 224), 0, height * 0.65f, new Color(210, 204, 192)));
        g.fillRect(0, 0, width, (int) (height * 0.65));
        g.setPaint(new GradientPaint(0, height * 0.65f, new Color(150, 116, 84), 0, height, new Color(120, 90, 64)));
        g.fillRect(0, (int) (height * 0.65), width, height);
        g.setColor(new Color(190, 215, 235));
        g.fillRect(width / 3, height / 6, width / 3, height / 3);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Mean absolute difference per channel (0–255) between two images of the same size. */
    static double meanDifference(byte[] a, byte[] b) throws IOException {
        BufferedImage x = ImageIO.read(new ByteArrayInputStream(a));
        BufferedImage y = ImageIO.read(new ByteArrayInputStream(b));
        if (x.getWidth() != y.getWidth() || x.getHeight() != y.getHeight()) {
            return 255;
        }
        long sum = 0;
        for (int j = 0; j < x.getHeight(); j += 2) {
            for (int i = 0; i < x.getWidth(); i += 2) {
                int p = x.getRGB(i, j);
                int q = y.getRGB(i, j);
                sum += Math.abs((p >> 16 & 255) - (q >> 16 & 255)) + Math.abs((p >> 8 & 255) - (q >> 8 & 255))
                        + Math.abs((p & 255) - (q & 255));
            }
        }
        return sum / (3.0 * ((x.getWidth() + 1) / 2) * ((x.getHeight() + 1) / 2));
    }
}
