package ai.realstaging.local.bench;

import ai.realstaging.common.db.DatabaseUrl;
import ai.realstaging.local.ApiClient;
import ai.realstaging.local.LiveEvents;
import ai.realstaging.local.TokenIssuer;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;

/**
 * Live-event latency against a running local stack: from an image's status change in the database
 * (its {@code updated_at}, stamped by PostgreSQL in the committing transaction) to the event's arrival
 * at a connected client, over the WebSocket API and over SSE, while a number of other users' idle
 * WebSocket connections are held open.
 */
final class RealtimeBench {
    private final URI api;
    private final URI webSocket;
    private final TokenIssuer issuer;
    private final String databaseUrl;
    private final HttpClient http = HttpClient.newHttpClient();

    RealtimeBench(URI api, URI webSocket, TokenIssuer issuer, String databaseUrl) {
        this.api = api;
        this.webSocket = webSocket;
        this.issuer = issuer;
        this.databaseUrl = databaseUrl;
    }

    /** For each number of idle connections: open them, stage {@code uploads} photos, print p50/p99 per transport. */
    void run(List<Integer> idleLevels, int uploads) throws Exception {
        String token = issuer.mint("bench-live", false, Duration.ofHours(2));
        ApiClient client = new ApiClient(http, api, token);
        String project = client.post("/v1/projects", Map.of("name", "Live bench")).body().path("id").asText();
        unlimited("local|bench-live");
        byte[] photo = photo();

        List<LiveEvents> idle = new ArrayList<>();
        try {
            // A first round to let the JIT compile the path, not printed.
            measure(client, project, photo, token, Math.max(5, uploads / 3));
            for (int level : idleLevels) {
                long opening = System.nanoTime();
                openIdle(idle, level - idle.size());
                double openSeconds = (System.nanoTime() - opening) / 1e9;
                List<List<Long>> latency = measure(client, project, photo, token, uploads);
                List<Long> wsLatency = latency.get(0);
                List<Long> sseLatency = latency.get(1);
                System.out.printf("%5d idle connections (opened in %.1f s): WebSocket %d events p50 %.1f ms p99 %.1f ms | "
                                + "SSE %d events p50 %.1f ms p99 %.1f ms%n",
                        idle.size(), openSeconds, wsLatency.size(), pct(wsLatency, 50) / 1000.0, pct(wsLatency, 99) / 1000.0,
                        sseLatency.size(), pct(sseLatency, 50) / 1000.0, pct(sseLatency, 99) / 1000.0);
            }
        } finally {
            idle.forEach(LiveEvents::close);
        }
    }

    /** Stages {@code uploads} photos while one WebSocket and one SSE client listen: their latencies. */
    private List<List<Long>> measure(ApiClient client, String project, byte[] photo, String token, int uploads)
            throws Exception {
        try (LiveEvents ws = LiveEvents.webSocket(http, webSocket, token);
             LiveEvents sse = LiveEvents.eventStream(http, api, Map.of("Authorization", "Bearer " + token), null)) {
            sse.next(Duration.ofSeconds(10)); // the ready event
            for (int i = 0; i < uploads; i++) {
                JsonNode started = client.post("/v1/projects/" + project + "/uploads", Map.of("filename", "room.jpg",
                        "content_type", "image/jpeg", "size_bytes", photo.length, "room_type", "bedroom",
                        "styles", List.of("modern"))).body();
                if (client.upload(started.path("upload"), photo) != 200) throw new IllegalStateException("upload refused");
            }
            return List.of(latencies(ws, uploads), latencies(sse, uploads));
        }
    }

    /** Microseconds from each image.updated's updated_at to its arrival, until every image is ready or failed. */
    private static List<Long> latencies(LiveEvents events, int images) throws InterruptedException {
        List<Long> micros = new ArrayList<>();
        int done = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (done < images && System.nanoTime() < deadline) {
            LiveEvents.Received r = events.next(m -> m.path("type").asText().equals("image.updated"), Duration.ofSeconds(30));
            if (r == null) break;
            JsonNode image = r.message().path("image");
            Instant changed = Instant.parse(image.path("updated_at").asText());
            micros.add(Math.max(0, Duration.between(changed, Instant.ofEpochMilli(r.arrivedAtMillis())).toNanos() / 1000));
            String status = image.path("status").asText();
            if (status.equals("ready") || status.equals("failed")) done++;
        }
        Collections.sort(micros);
        return micros;
    }

    /** Other users' connections, 50 at a time, spread over 100 users. */
    private void openIdle(List<LiveEvents> idle, int more) throws Exception {
        if (more <= 0) return;
        List<String> tokens = new ArrayList<>();
        for (int u = 0; u < 100; u++) tokens.add(issuer.mint("bench-idle-" + u, false, Duration.ofHours(2)));
        ConcurrentLinkedQueue<LiveEvents> opened = new ConcurrentLinkedQueue<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(50)) {
            List<Future<?>> all = new ArrayList<>();
            int base = idle.size();
            for (int i = 0; i < more; i++) {
                String token = tokens.get((base + i) % tokens.size());
                all.add(pool.submit(() -> {
                    opened.add(LiveEvents.webSocket(http, webSocket, token));
                    return null;
                }));
            }
            for (Future<?> f : all) f.get();
        }
        idle.addAll(opened);
    }

    private void unlimited(String subject) throws Exception {
        DatabaseUrl db = DatabaseUrl.parse(databaseUrl);
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.properties())) {
            c.createStatement().execute("UPDATE users SET plan_id = 'business' WHERE auth_sub = '" + subject + "'");
            c.createStatement().execute("UPDATE usage_reservations SET status = 'released' "
                    + "WHERE user_id = (SELECT id FROM users WHERE auth_sub = '" + subject + "')");
        }
    }

    private static byte[] photo() throws Exception {
        BufferedImage image = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(205, 195, 175));
        g.fillRect(0, 0, 320, 240);
        g.setColor(new Color(140, 110, 80));
        g.fillRect(0, 160, 320, 80);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    private static double pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) return Double.NaN;
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
