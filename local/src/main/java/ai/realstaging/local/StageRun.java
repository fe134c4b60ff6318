package ai.realstaging.local;

import ai.realstaging.common.staging.ImageFormat;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * `./realstaging stage`: one photo through the whole flow, progress from the live events, the staged
 * file written out. With a model, the run first makes it the active model through the admin API (a
 * locally minted admin token) and gives the previous one back afterwards: the engine picks the
 * model per job, as in production, so the CLI switches it the way an admin would.
 */
final class StageRun {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final ApiClient api;
    private final ApiClient admin;
    private final HttpClient http;
    private final URI apiUrl;
    private final String token;

    StageRun(HttpClient http, URI apiUrl, String token, String adminToken) {
        this.api = new ApiClient(http, apiUrl, token);
        this.http = http;
        this.apiUrl = apiUrl;
        this.token = token;
        this.admin = adminToken == null ? null : new ApiClient(http, apiUrl, adminToken);
    }

    int run(Path photo, byte[] bytes, ImageFormat format, String room, String style, String mode, Long seed, Path out,
            String model) throws Exception {
        if (model == null) {
            return run(photo, bytes, format, room, style, mode, seed, out);
        }
        ApiClient.Reply models = admin.get("/v1/admin/models");
        if (models.status() != 200) return problem("list the models", models);
        String previous = null;
        for (JsonNode item : models.body().path("items")) {
            if (item.path("active").asBoolean()) previous = item.path("id").asText();
        }
        if (model.equals(previous)) {
            progress("model " + model + " (already active)");
            return run(photo, bytes, format, room, style, mode, seed, out);
        }
        ApiClient.Reply switched = admin.put("/v1/admin/models/active", Map.of("model_id", model));
        if (switched.status() != 200) return problem("switch to model " + model, switched);
        progress("model " + model + " is active for this run (was " + previous + ")");
        try {
            return run(photo, bytes, format, room, style, mode, seed, out);
        } finally {
            ApiClient.Reply restored = admin.put("/v1/admin/models/active", Map.of("model_id", previous));
            if (restored.status() == 200) progress("model " + previous + " is active again");
            else problem("switch back to model " + previous, restored);
        }
    }

    int run(Path photo, byte[] bytes, ImageFormat format, String room, String style, String mode, Long seed, Path out)
            throws Exception {
        ApiClient.Reply project = api.post("/v1/projects", Map.of("name", "CLI: " + photo.getFileName()));
        if (project.status() != 201) return problem("create the project", project);
        String projectId = project.body().path("id").asText();
        progress("project " + projectId);

        String filename = photo.getFileName().toString();
        if (!filename.toLowerCase().endsWith("." + format.extension()) && !(format == ImageFormat.JPEG
                && filename.toLowerCase().endsWith(".jpeg"))) {
            filename = filename + "." + format.extension();
        }
        Map<String, Object> upload = new java.util.LinkedHashMap<>(Map.of(
                "filename", filename, "content_type", format.contentType(), "size_bytes", bytes.length,
                "room_type", room, "styles", java.util.List.of(style)));
        if (mode != null) upload.put("mode", mode);
        if (seed != null) upload.put("seed", seed);
        // Progress comes from the live events; subscribed before the upload, so no change is missed.
        LiveEvents events = liveEvents();
        try {
            return upload(projectId, upload, bytes, out, events);
        } finally {
            if (events != null) events.close();
        }
    }

    /** The event stream of this user, or null (then progress is polled) when the stack has none. */
    private LiveEvents liveEvents() {
        try {
            LiveEvents events = LiveEvents.eventStream(http, apiUrl, java.util.Map.of("Authorization", "Bearer " + token), null);
            LiveEvents.Received ready = events.next(java.time.Duration.ofSeconds(5));
            if (ready != null && ready.type().equals("ready")) {
                progress("listening to live events (" + apiUrl.resolve("/v1/events") + ")");
                return events;
            }
            events.close();
        } catch (java.io.IOException e) {
            // an older stack, or no Redis: poll instead
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        progress("no live events here; polling the image instead");
        return null;
    }

    private int upload(String projectId, Map<String, Object> upload, byte[] bytes, Path out, LiveEvents events)
            throws Exception {
        ApiClient.Reply started = api.post("/v1/projects/" + projectId + "/uploads", upload);
        if (started.status() != 201) return problem("start the upload", started);
        String imageId = started.body().path("images").path(0).path("id").asText();
        progress("uploading " + bytes.length + " bytes");
        int put = api.upload(started.body().path("upload"), bytes);
        if (put != 200) {
            System.err.println("the upload was refused by storage (HTTP " + put + ")");
            return 1;
        }

        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            JsonNode current;
            if (events != null) {
                LiveEvents.Received event = events.next(m -> m.path("type").asText().equals("image.updated")
                        && m.path("image").path("id").asText().equals(imageId), java.time.Duration.ofSeconds(30));
                if (event == null) {
                    // Quiet for 30 s: check the REST API in case an event was lost.
                    ApiClient.Reply image = api.get("/v1/images/" + imageId);
                    if (image.status() != 200) return problem("read the image", image);
                    current = image.body();
                } else {
                    current = event.message().path("image");
                }
            } else {
                ApiClient.Reply image = api.get("/v1/images/" + imageId);
                if (image.status() != 200) return problem("read the image", image);
                current = image.body();
            }
            JsonNode image = current;
            String status = image.path("status").asText();
            if (!status.equals(last)) {
                progress("image " + imageId + ": " + status);
                last = status;
            }
            if (status.equals("ready")) {
                HttpResponse<byte[]> staged = api.download(image.path("urls").path("staged").asText());
                if (staged.statusCode() != 200) {
                    System.err.println("could not download the staged file (HTTP " + staged.statusCode() + ")");
                    return 1;
                }
                Files.write(out, staged.body());
                progress("wrote " + out + " (" + staged.body().length + " bytes, "
                        + staged.headers().firstValue("Content-Type").orElse("?") + ")");
                return 0;
            }
            if (status.equals("failed")) {
                JsonNode error = image.path("error");
                System.err.println("staging failed: " + error.path("message").asText() + " (" + error.path("code").asText() + ")");
                return 1;
            }
            if (events == null) Thread.sleep(300);
        }
        System.err.println("gave up after " + TIMEOUT.toSeconds() + " s; image " + imageId + " is still " + last);
        return 1;
    }

    private static void progress(String message) {
        System.err.println("• " + message);
    }

    private static int problem(String what, ApiClient.Reply reply) {
        JsonNode body = reply.body();
        System.err.println("could not " + what + ": HTTP " + reply.status()
                + (body == null ? "" : " " + body.path("title").asText() + ": " + body.path("detail").asText()));
        if (body != null && body.has("errors")) {
            body.path("errors").forEach(e -> System.err.println("  - " + e.path("field").asText() + " " + e.path("message").asText()));
        }
        return 1;
    }
}
