package ai.realstaging.local.bench;

import ai.realstaging.common.db.DatabaseUrl;
import ai.realstaging.local.ApiClient;
import ai.realstaging.local.TokenIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * Benchmark of GET /v1/projects/{id}/originals through a running local stack: a project of 500
 * staged images (100 photos × 5 styles) and one of 5,000, each read as a default page (20
 * originals) and a full page (100 originals), so the figures show what a page costs and that it
 * does not grow with the project. Every image is ready, so each one carries two presigned URLs.
 */
public final class OriginalsBench {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final int STYLES_PER_PHOTO = 5;

    private OriginalsBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = Bench.options(args);
        URI api = URI.create(opt.getOrDefault("api", "http://127.0.0.1:3000"));
        DatabaseUrl db = DatabaseUrl.parse(opt.getOrDefault("database-url", System.getenv("DATABASE_URL")));
        int clients = Integer.parseInt(opt.getOrDefault("clients", "8"));
        int seconds = Integer.parseInt(opt.getOrDefault("seconds", "10"));

        String user = "bench-originals-" + UUID.randomUUID().toString().substring(0, 8);
        String token = TokenIssuer.load(TokenIssuer.defaultHome()).mint(user, false, Duration.ofHours(2));
        ApiClient client = new ApiClient(HTTP, api, token);
        String small = client.post("/v1/projects", Map.of("name", "500 images")).body().path("id").asText();
        String large = client.post("/v1/projects", Map.of("name", "5000 images")).body().path("id").asText();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.properties())) {
            seed(c, UUID.fromString(small), 100);
            seed(c, UUID.fromString(large), 1000);
            c.createStatement().execute("ANALYZE originals; ANALYZE images");
        }

        System.out.println("== warm: GET /v1/projects/{id}/originals through the local gateway, " + clients
                + " clients, " + seconds + " s each (every image ready: 2 presigned URLs per image)");
        String[][] runs = {
                {"500-image project, default page (20 originals, 100 images)", small, ""},
                {"500-image project, full page (100 originals, 500 images)", small, "?limit=100"},
                {"5,000-image project, default page (20 originals, 100 images)", large, ""},
                {"5,000-image project, full page (100 originals, 500 images)", large, "?limit=100"}};
        // JIT warm-up over every shape first, not measured: otherwise the first run pays for compiling.
        for (String[] run : runs) {
            Bench.warm(api, token, "/v1/projects/" + run[1] + "/originals" + run[2], clients, 5);
        }
        for (String[] run : runs) {
            String path = "/v1/projects/" + run[1] + "/originals" + run[2];
            System.out.print(run[0] + ": ");
            Bench.warm(api, token, path, clients, seconds).print();
        }
    }

    /** {@code photos} uploaded originals with five ready images each, written directly in the database. */
    private static void seed(Connection c, UUID projectId, int photos) throws Exception {
        UUID userId;
        try (PreparedStatement ps = c.prepareStatement("SELECT user_id FROM projects WHERE id = ?")) {
            ps.setObject(1, projectId);
            var rs = ps.executeQuery();
            rs.next();
            userId = rs.getObject(1, UUID.class);
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO originals (id, project_id, user_id, filename, content_type, size_bytes, s3_key, status,
                                       width, height, upload_expires_at, uploaded_at, created_at, updated_at)
                SELECT gen_random_uuid(), ?, ?, 'room-' || n || '.jpg', 'image/jpeg', 2000000,
                       'uploads/' || ? || '/' || gen_random_uuid() || '/room-' || n || '.jpg', 'uploaded',
                       1600, 1200, now(), now(), now() - (? - n) * interval '1 second', now()
                FROM generate_series(1, ?) n""")) {
            ps.setObject(1, projectId);
            ps.setObject(2, userId);
            ps.setString(3, userId.toString());
            ps.setInt(4, photos);
            ps.setInt(5, photos);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO images (id, original_id, project_id, user_id, room_type, style, mode, status, model,
                                    prediction_id, cost_usd, staged_key, staged_content_type, completed_at)
                SELECT x.id, x.original_id, x.project_id, x.user_id, 'living_room', x.style, 'stage', 'ready',
                       'qwen-image-edit', 'p' || substr(md5(x.id::text), 1, 20), 0.03,
                       'staged/' || x.user_id || '/' || x.id || '.jpg', 'image/jpeg', now()
                FROM (SELECT gen_random_uuid() AS id, o.id AS original_id, o.project_id, o.user_id, s.style
                      FROM originals o CROSS JOIN unnest(?::text[]) AS s(style)
                      WHERE o.project_id = ?) x""")) {
            ps.setArray(1, c.createArrayOf("text",
                    new String[] {"modern", "scandinavian", "coastal", "industrial", "luxury"}));
            ps.setObject(2, projectId);
            ps.executeUpdate();
        }
        assert STYLES_PER_PHOTO == 5;
    }
}
