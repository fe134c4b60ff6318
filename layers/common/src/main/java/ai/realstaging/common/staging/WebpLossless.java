package ai.realstaging.common.staging;

import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.PriorityQueue;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * WebP for the disclosure label: decodes any WebP (lossy or lossless, via TwelveMonkeys) and
 * encodes lossless WebP (VP8L, RFC 9649), since the JDK has no WebP writer and a labelled WebP
 * must stay a WebP. The encoder is deliberately small: the subtract-green and predictor
 * (L + T − TL, clamped) transforms, then one set of prefix codes over literal pixels; no
 * backward references or colour cache. Its files are larger than libwebp's, never wrong.
 */
public final class WebpLossless {
    private static final int[] CODE_LENGTH_ORDER = {17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    private static final int MAX_SIDE = 16384;
    /** Predictor tiles of 512 px: one mode (ClampAddSubtractFull) serves the whole image. */
    private static final int TILE_BITS = 9;
    private static final int MODE_CLAMP_ADD_SUBTRACT_FULL = 12;
    private static final int GREEN_SYMBOLS = 256 + 24;

    private WebpLossless() {}

    public static BufferedImage decode(byte[] webp) throws IOException {
        ImageReader reader = new WebPImageReaderSpi().createReaderInstance(null);
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(webp))) {
            reader.setInput(in);
            return reader.read(0);
        } catch (RuntimeException e) {
            throw new IOException("not a decodable WebP image: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    public static byte[] encode(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (w > MAX_SIDE || h > MAX_SIDE) {
            throw new IllegalArgumentException("WebP images are at most " + MAX_SIDE + " px a side");
        }
        int[] pixels = image.getRGB(0, 0, w, h, null, 0, w);
        boolean alpha = false;
        for (int i = 0; i < pixels.length; i++) {
            int p = pixels[i];
            alpha |= (p >>> 24) != 0xFF;
            int g = (p >> 8) & 0xFF;
            // subtract-green: red and blue become differences to green
            pixels[i] = (p & 0xFF00FF00) | ((((p >> 16) & 0xFF) - g) & 0xFF) << 16 | (((p & 0xFF) - g) & 0xFF);
        }
        int[] residuals = new int[pixels.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int predicted;
                if (x == 0 && y == 0) predicted = 0xFF000000;
                else if (y == 0) predicted = pixels[i - 1];
                else if (x == 0) predicted = pixels[i - w];
                else predicted = clampAddSubtractFull(pixels[i - 1], pixels[i - w], pixels[i - w - 1]);
                residuals[i] = subtract(pixels[i], predicted);
            }
        }

        BitWriter bits = new BitWriter(pixels.length);
        bits.put(0x2F, 8);
        bits.put(w - 1, 14);
        bits.put(h - 1, 14);
        bits.put(alpha ? 1 : 0, 1);
        bits.put(0, 3);
        bits.put(1, 1); // a transform: subtract-green (2)
        bits.put(2, 2);
        bits.put(1, 1); // a transform: predictor (0), with its image of per-tile modes
        bits.put(0, 2);
        bits.put(TILE_BITS - 2, 3);
        int tilesWide = (w + (1 << TILE_BITS) - 1) >> TILE_BITS;
        int tilesHigh = (h + (1 << TILE_BITS) - 1) >> TILE_BITS;
        int[] modes = new int[tilesWide * tilesHigh];
        java.util.Arrays.fill(modes, 0xFF000000 | MODE_CLAMP_ADD_SUBTRACT_FULL << 8);
        bits.put(0, 1); // the mode image: no colour cache
        entropyCoded(bits, modes);
        bits.put(0, 1); // no more transforms
        bits.put(0, 1); // no colour cache
        bits.put(0, 1); // no meta prefix codes: one set for the whole image
        entropyCoded(bits, residuals);
        return riff(bits.finish());
    }

    /** Five prefix codes (green, red, blue, alpha, distance), then every pixel as four literals. */
    private static void entropyCoded(BitWriter bits, int[] argb) {
        int[] green = new int[GREEN_SYMBOLS];
        int[] red = new int[256];
        int[] blue = new int[256];
        int[] alpha = new int[256];
        for (int p : argb) {
            green[(p >> 8) & 0xFF]++;
            red[(p >> 16) & 0xFF]++;
            blue[p & 0xFF]++;
            alpha[p >>> 24]++;
        }
        PrefixCode g = PrefixCode.write(bits, green);
        PrefixCode r = PrefixCode.write(bits, red);
        PrefixCode b = PrefixCode.write(bits, blue);
        PrefixCode a = PrefixCode.write(bits, alpha);
        PrefixCode.write(bits, new int[40]); // distances: no backward references
        for (int p : argb) {
            g.put(bits, (p >> 8) & 0xFF);
            r.put(bits, (p >> 16) & 0xFF);
            b.put(bits, p & 0xFF);
            a.put(bits, p >>> 24);
        }
    }

    private static int clampAddSubtractFull(int left, int top, int topLeft) {
        int result = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            int v = ((left >>> shift) & 0xFF) + ((top >>> shift) & 0xFF) - ((topLeft >>> shift) & 0xFF);
            result |= Math.max(0, Math.min(255, v)) << shift;
        }
        return result;
    }

    private static int subtract(int a, int b) {
        int result = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            result |= ((((a >>> shift) & 0xFF) - ((b >>> shift) & 0xFF)) & 0xFF) << shift;
        }
        return result;
    }

    private static byte[] riff(byte[] vp8l) {
        int padded = vp8l.length + (vp8l.length & 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(padded + 20);
        out.writeBytes("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        le32(out, 4 + 8 + padded);
        out.writeBytes("WEBPVP8L".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        le32(out, vp8l.length);
        out.writeBytes(vp8l);
        if ((vp8l.length & 1) == 1) out.write(0);
        return out.toByteArray();
    }

    private static void le32(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    /** Bits in VP8L order: least significant first. */
    static final class BitWriter {
        private final ByteArrayOutputStream out;
        private long acc;
        private int count;

        BitWriter(int expectedPixels) {
            out = new ByteArrayOutputStream(Math.max(1024, expectedPixels * 2));
        }

        void put(int value, int n) {
            acc |= ((long) value & ((1L << n) - 1)) << count;
            count += n;
            while (count >= 8) {
                out.write((int) acc);
                acc >>>= 8;
                count -= 8;
            }
        }

        byte[] finish() {
            if (count > 0) out.write((int) acc);
            acc = 0;
            count = 0;
            return out.toByteArray();
        }
    }

    /** A canonical prefix code (as DEFLATE's), written in VP8L's form and used to write symbols. */
    static final class PrefixCode {
        private final int[] lengths;
        private final int[] codes;

        private PrefixCode(int[] lengths) {
            this.lengths = lengths;
            this.codes = canonical(lengths);
        }

        void put(BitWriter bits, int symbol) {
            if (lengths[symbol] > 0) bits.put(codes[symbol], lengths[symbol]);
        }

        /** Writes the code for these symbol counts and returns it. */
        static PrefixCode write(BitWriter bits, int[] counts) {
            int used = 0;
            int first = -1;
            int second = -1;
            for (int s = 0; s < counts.length; s++) {
                if (counts[s] == 0) continue;
                if (used == 0) first = s;
                else if (used == 1) second = s;
                used++;
            }
            if (used <= 2 && (first < 0 || first < 256) && (second < 256)) {
                // The "simple" form: one or two symbols below 256. One symbol costs no bits at all.
                int s0 = Math.max(first, 0);
                bits.put(1, 1);
                bits.put(used == 2 ? 1 : 0, 1);
                if (s0 < 2) {
                    bits.put(0, 1);
                    bits.put(s0, 1);
                } else {
                    bits.put(1, 1);
                    bits.put(s0, 8);
                }
                int[] lengths = new int[counts.length];
                if (used == 2) {
                    bits.put(second, 8);
                    lengths[s0] = 1;
                    lengths[second] = 1;
                }
                return new PrefixCode(lengths);
            }
            int[] lengths = lengths(counts, 15);
            int[] lengthCounts = new int[19];
            for (int length : lengths) lengthCounts[length]++;
            // A code-length code needs two symbols to be a real prefix code; a spare one is harmless.
            int distinct = 0;
            for (int c : lengthCounts) distinct += c > 0 ? 1 : 0;
            if (distinct < 2) lengthCounts[lengthCounts[0] > 0 ? 1 : 0]++;
            int[] lengthCodeLengths = lengths(lengthCounts, 7);
            bits.put(0, 1);
            bits.put(CODE_LENGTH_ORDER.length - 4, 4);
            for (int symbol : CODE_LENGTH_ORDER) bits.put(lengthCodeLengths[symbol], 3);
            bits.put(0, 1); // every symbol's length follows
            PrefixCode lengthCode = new PrefixCode(lengthCodeLengths);
            for (int length : lengths) lengthCode.put(bits, length);
            return new PrefixCode(lengths);
        }

        /** Huffman code lengths, limited to {@code max} bits by flattening the counts until they fit. */
        static int[] lengths(int[] counts, int max) {
            int[] weights = counts.clone();
            while (true) {
                int[] lengths = huffman(weights);
                int longest = 0;
                for (int l : lengths) longest = Math.max(longest, l);
                if (longest <= max) return lengths;
                for (int i = 0; i < weights.length; i++) {
                    if (weights[i] > 0) weights[i] = Math.max(1, weights[i] >> 1);
                }
            }
        }

        private static int[] huffman(int[] weights) {
            int n = weights.length;
            int[] parent = new int[2 * n];
            java.util.Arrays.fill(parent, -1);
            long[] weight = new long[2 * n];
            PriorityQueue<long[]> queue = new PriorityQueue<>((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0])
                    : Long.compare(x[1], y[1]));
            for (int s = 0; s < n; s++) {
                if (weights[s] > 0) {
                    weight[s] = weights[s];
                    queue.add(new long[] {weights[s], s});
                }
            }
            int[] lengths = new int[n];
            if (queue.size() == 1) {
                lengths[(int) queue.peek()[1]] = 1;
                return lengths;
            }
            int next = n;
            while (queue.size() > 1) {
                long[] x = queue.poll();
                long[] y = queue.poll();
                weight[next] = x[0] + y[0];
                parent[(int) x[1]] = next;
                parent[(int) y[1]] = next;
                queue.add(new long[] {weight[next], next});
                next++;
            }
            for (int s = 0; s < n; s++) {
                if (weights[s] == 0) continue;
                int depth = 0;
                for (int node = s; parent[node] >= 0; node = parent[node]) depth++;
                lengths[s] = depth;
            }
            return lengths;
        }

        /** Codes by length then symbol, bit-reversed because VP8L reads least significant bits first. */
        private static int[] canonical(int[] lengths) {
            int[] perLength = new int[16];
            for (int l : lengths) if (l > 0) perLength[l]++;
            int[] next = new int[16];
            int code = 0;
            for (int l = 1; l < 16; l++) {
                code = (code + perLength[l - 1]) << 1;
                next[l] = code;
            }
            int[] codes = new int[lengths.length];
            for (int s = 0; s < lengths.length; s++) {
                int l = lengths[s];
                if (l > 0) codes[s] = Integer.reverse(next[l]++) >>> (32 - l);
            }
            return codes;
        }
    }
}
