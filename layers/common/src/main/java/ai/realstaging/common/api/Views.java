package ai.realstaging.common.api;

import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.ImageStatus;
import ai.realstaging.common.model.Original;
import ai.realstaging.common.model.OriginalStatus;
import ai.realstaging.common.model.Profile;
import ai.realstaging.common.model.Project;
import ai.realstaging.common.storage.Storage;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The JSON shapes of PRODUCT.md §3.1, made from domain rows. Image views carry short-lived
 * presigned GET URLs of the original and the staged file, so a client needs no second call.
 */
public final class Views {
    public static final Duration URL_TTL = Duration.ofMinutes(15);

    private final Storage storage;

    public Views(Storage storage) {
        this.storage = storage;
    }

    public record ProjectView(UUID id, String name, Instant createdAt, Instant updatedAt) {}

    public record Problem(String code, String message) {}

    public record Urls(String original, String staged, Instant expiresAt) {}

    public record ImageView(UUID id, UUID originalId, UUID projectId, String roomType, String style, String mode,
                            Long seed, String status, Problem error, String model, Urls urls,
                            Instant createdAt, Instant updatedAt) {}

    public record OriginalView(UUID id, UUID projectId, String filename, String contentType, long sizeBytes,
                               String status, Problem rejection, Integer width, Integer height,
                               List<ImageView> images, Instant createdAt, Instant updatedAt) {}

    /** GET /v1/me: every field present, null when unset; preferences with their defaults applied. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record MeView(UUID id, String email, String fullName, String companyName, String phone,
                         Profile.Address billingAddress, PreferencesView preferences, String role, String plan,
                         Instant createdAt, Instant updatedAt) {}

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PreferencesView(String defaultRoomType, String defaultStyle, boolean disclosureLabel) {}

    public static MeView me(Profile p, boolean admin) {
        Profile.Preferences prefs = p.preferences();
        return new MeView(p.id(), p.email(), p.fullName(), p.companyName(), p.phone(), p.billingAddress(),
                new PreferencesView(prefs.defaultRoomType(), prefs.defaultStyle(), prefs.disclosureLabelOn()),
                admin ? "admin" : "user", p.planId(), p.createdAt(), p.updatedAt());
    }

    /** A page of a list; next_cursor is null (and present) on the last page. */
    public record Page<T>(List<T> items, @JsonInclude(JsonInclude.Include.ALWAYS) String nextCursor) {}

    public static ProjectView project(Project p) {
        return new ProjectView(p.id(), p.name(), p.createdAt(), p.updatedAt());
    }

    public ImageView image(Image i, Original original) {
        return image(i, originalUrl(original), Instant.now().plus(URL_TTL));
    }

    public OriginalView original(Original o, List<Image> images) {
        Problem rejection = o.status() == OriginalStatus.REJECTED ? new Problem(o.rejectCode(), o.rejectReason()) : null;
        // One signature of the photo for all its images: they show the same file.
        String originalUrl = originalUrl(o);
        Instant expires = Instant.now().plus(URL_TTL);
        return new OriginalView(o.id(), o.projectId(), o.filename(), o.contentType(), o.sizeBytes(), o.status().wire(),
                rejection, o.width(), o.height(), images.stream().map(i -> image(i, originalUrl, expires)).toList(),
                o.createdAt(), o.updatedAt());
    }

    /** The photo's short-lived GET URL, once it has been uploaded and verified. */
    private String originalUrl(Original original) {
        return original.status() == OriginalStatus.UPLOADED
                ? storage.presignDownload(original.s3Key(), URL_TTL, null).url() : null;
    }

    private ImageView image(Image i, String originalUrl, Instant expires) {
        String stagedUrl = i.status() == ImageStatus.READY && i.stagedKey() != null
                ? storage.presignDownload(i.stagedKey(), URL_TTL, null).url() : null;
        Urls urls = new Urls(originalUrl, stagedUrl, originalUrl == null && stagedUrl == null ? null : expires);
        Problem error = i.status() == ImageStatus.FAILED ? new Problem(i.errorCode(), i.errorMessage()) : null;
        return new ImageView(i.id(), i.originalId(), i.projectId(), i.roomType(), i.style(), i.mode(), i.seed(),
                i.status().wire(), error, i.model(), urls, i.createdAt(), i.updatedAt());
    }

    /** Groups images under their originals, keeping each list in creation order. */
    public List<OriginalView> originals(List<Original> originals, List<Image> images) {
        Map<UUID, List<Image>> byOriginal = new java.util.HashMap<>();
        for (Image i : images) {
            byOriginal.computeIfAbsent(i.originalId(), k -> new java.util.ArrayList<>()).add(i);
        }
        return originals.stream().map(o -> original(o, byOriginal.getOrDefault(o.id(), List.of()))).toList();
    }
}
