package ai.realstaging.local.bench;

import ai.realstaging.common.db.DatabaseUrl;
import ai.realstaging.local.ApiClient;
import ai.realstaging.local.LocalStack;
import ai.realstaging.local.replicate.ReplicateStandIn;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * The staging benchmark (benchmarks/README.md): an in-JVM local stack whose Replicate stand-in is
 * an instant model answering a 2 MB JPEG, and 2 MB photos uploaded through the HTTP API and S3.
 * (1) Overhead per image excluding model time, one photo at a time: from the end of the S3 PUT to
 * the image being ready (S3 event, queue, verify, stage message, queue, claim, create, record,
 * copy the output in, store it, mark ready), less the model's own time; and the stage handler's
 * share (its recorded total less model time). (2) Images per second through the queue: a burst of
 * uploads, from the first PUT to the last image ready.
 */
public final class StagingBench {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private StagingBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = Bench.options(args);
        Path root = Path.of(opt.getOrDefault("root", ".")).toAbsolutePath().normalize();
        int sequential = Integer.parseInt(opt.getOrDefault("images", "100"));
        int burst = Integer.parseInt(opt.getOrDefault("burst", "200"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "30"));
        String databaseUrl = opt.getOrDefault("database-url", System.getenv("DATABASE_URL"));

        byte[] photo = photo(2 * 1024 * 1024);
        Path home = Files.createTempDirectory("realstaging-bench");
        try (LocalStack stack = LocalStack.start(new LocalStack.Options(root, "127.0.0.1", 0, 0, databaseUrl, null, null,
                null, home))) {
            ReplicateStandIn replicate = stack.replicate();
            replicate.setProcessingTime(Duration.ZERO);
            replicate.setInstantOutput(photo);
            ApiClient api = new ApiClient(HTTP, stack.apiUrl(), stack.issuer().mint("bench-staging", false, Duration.ofHours(2)));
            String project = api.post("/v1/projects", Map.of("name", "Staging bench")).body().path("id").asText();
            DatabaseUrl db = DatabaseUrl.parse(stack.databaseUrl());
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.properties())) {
                c.setAutoCommit(true);
                prepareUser(c);
                System.out.printf("== staging: 2 MB JPEG photo (%d bytes), instant model answering the same 2 MB JPEG%n",
                        photo.length);
                for (boolean label : new boolean[] {false, true}) {
                    label(c, label);
                    for (int i = 0; i < warmup; i++) stageOne(api, c, project, photo);
                    List<long[]> samples = new ArrayList<>();
                    for (int i = 0; i < sequential; i++) samples.add(stageOne(api, c, project, photo));
                    List<Long> overall = new ArrayList<>();
                    List<Long> handler = new ArrayList<>();
                    samples.forEach(s -> {
                        overall.add(s[0]);
                        handler.add(s[1]);
                    });
                    System.out.printf("overhead per image, label %s, %d images one at a time: p50 %d ms, p99 %d ms "
                                    + "(stage handler alone: p50 %d ms, p99 %d ms)%n", label ? "on " : "off", sequential,
                            percentile(overall, 50), percentile(overall, 99), percentile(handler, 50), percentile(handler, 99));
                }
                for (boolean label : new boolean[] {false, true}) {
                    label(c, label);
                    for (int styles : new int[] {1, 5}) {
                        prepareUser(c);
                        double perSecond = burst(api, c, project, photo, burst / styles, styles);
                        System.out.printf("throughput, label %s, %d photos uploaded at once, %d style(s) each: %.1f images/s%n",
                                label ? "on " : "off", burst / styles, styles, perSecond);
                    }
                }
            }
        }
    }

    /** A business plan, and earlier runs' reservations out of the way, so the quota never stops the bench. */
    private static void prepareUser(Connection c) throws Exception {
        c.createStatement().execute("UPDATE users SET plan_id = 'business' WHERE auth_sub = 'local|bench-staging'");
        c.createStatement().execute("DELETE FROM usage_reservations WHERE user_id = "
                + "(SELECT id FROM users WHERE auth_sub = 'local|bench-staging')");
    }

    private static void label(Connection c, boolean on) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE users SET preferences = jsonb_build_object('disclosure_label', ?) WHERE auth_sub = 'local|bench-staging'")) {
            ps.setBoolean(1, on);
            ps.executeUpdate();
        }
    }

    /** One photo, one style; answers {overhead excluding model time, stage handler's share}, in ms. */
    private static long[] stageOne(ApiClient api, Connection c, String project, byte[] photo) throws Exception {
        JsonNode started = start(api, project, photo);
        UUID image = UUID.fromString(started.path("images").path(0).path("id").asText());
        int put = api.upload(started.path("upload"), photo);
        Instant uploaded = Instant.now();
        if (put != 200) throw new IllegalStateException("upload refused: " + put);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT status, completed_at, total_ms, model_ms FROM images WHERE id = ?")) {
            ps.setObject(1, image);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    String status = rs.getString(1);
                    if (status.equals("failed")) throw new IllegalStateException("image " + image + " failed");
                    if (status.equals("ready")) {
                        Timestamp completed = rs.getTimestamp(2);
                        long model = rs.getLong(4);
                        long overall = Duration.between(uploaded, completed.toInstant()).toMillis() - model;
                        return new long[] {overall, rs.getLong(3) - model};
                    }
                }
                Thread.sleep(2);
            }
        }
        throw new IllegalStateException("image " + image + " not ready in 60 s");
    }

    private static final List<String> STYLES = List.of("modern", "coastal", "japandi", "luxury", "industrial");

    private static JsonNode start(ApiClient api, String project, byte[] photo) throws Exception {
        return start(api, project, photo, 1);
    }

    private static JsonNode start(ApiClient api, String project, byte[] photo, int styles) throws Exception {
        ApiClient.Reply reply = api.post("/v1/projects/" + project + "/uploads", Map.of("filename", "room.jpg",
                "content_type", "image/jpeg", "size_bytes", photo.length, "room_type", "living_room",
                "styles", STYLES.subList(0, styles)));
        if (reply.status() != 201) throw new IllegalStateException("start upload: " + reply.status() + " " + reply.body());
        return reply.body();
    }

    /** Uploads {@code photos} photos as fast as 8 clients can, then waits for every image: images per second. */
    private static double burst(ApiClient api, Connection c, String project, byte[] photo, int photos, int styles)
            throws Exception {
        List<JsonNode> started = new ArrayList<>();
        for (int i = 0; i < photos; i++) started.add(start(api, project, photo, styles));
        List<UUID> images = new ArrayList<>();
        started.forEach(s -> s.path("images").forEach(i -> images.add(UUID.fromString(i.path("id").asText()))));
        int count = images.size();
        long t0 = System.nanoTime();
        try (ExecutorService uploaders = Executors.newFixedThreadPool(8)) {
            List<Future<Integer>> puts = new ArrayList<>();
            for (JsonNode s : started) puts.add(uploaders.submit(() -> api.upload(s.path("upload"), photo)));
            for (Future<Integer> f : puts) {
                if (f.get() != 200) throw new IllegalStateException("upload refused: " + f.get());
            }
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FILTER (WHERE status = 'ready'), count(*) FILTER (WHERE status = 'failed') "
                        + "FROM images WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("uuid", images.toArray()));
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(2) > 0) throw new IllegalStateException(rs.getInt(2) + " images failed");
                    if (rs.getInt(1) == count) return count / ((System.nanoTime() - t0) / 1e9);
                }
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("the burst did not finish in 5 minutes");
    }

    private static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    /** A photo-like JPEG of about {@code bytes}: a room's gradients with sensor noise, sized to fit. */
    static byte[] photo(int bytes) throws IOException {
        Random random = new Random(42);
        int w = 2400, h = 1600;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int base = y < h * 0.65 ? 225 - y * 30 / h : 140 - (y - h / 2) * 40 / h;
                int r = clamp(base + random.nextInt(24) - 12), g = clamp(base - 6 + random.nextInt(24) - 12),
                        b = clamp(base - 16 + random.nextInt(24) - 12);
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        float lo = 0.3f, hi = 0.98f;
        byte[] best = jpeg(image, hi);
        for (int i = 0; i < 12; i++) {
            float q = (lo + hi) / 2;
            byte[] encoded = jpeg(image, q);
            if (encoded.length > bytes) hi = q;
            else {
                lo = q;
                best = encoded;
            }
        }
        return best;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static byte[] jpeg(BufferedImage image, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
