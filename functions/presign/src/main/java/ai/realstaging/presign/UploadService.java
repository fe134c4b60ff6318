package ai.realstaging.presign;

import ai.realstaging.common.api.UploadRequest;
import ai.realstaging.common.api.Views;
import ai.realstaging.common.api.Views.ImageView;
import ai.realstaging.common.api.Views.OriginalView;
import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.billing.Quota;
import ai.realstaging.common.config.AwsClients;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.db.ConnectionFactory;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.DatabaseException;
import ai.realstaging.common.db.ImageRepository;
import ai.realstaging.common.db.OriginalRepository;
import ai.realstaging.common.db.ProfileRepository;
import ai.realstaging.common.db.ProjectRepository;
import ai.realstaging.common.db.UserDirectory;
import ai.realstaging.common.http.ApiException;
import ai.realstaging.common.http.ApiException.FieldError;
import ai.realstaging.common.http.Responses;
import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.ImageStatus;
import ai.realstaging.common.model.Original;
import ai.realstaging.common.model.OriginalStatus;
import ai.realstaging.common.model.Profile.Preferences;
import ai.realstaging.common.staging.Catalog;
import ai.realstaging.common.storage.ObjectKeys;
import ai.realstaging.common.storage.Storage;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts uploads: checks ownership, reserves quota and records the original and its images in one
 * transaction, then signs a PUT that pins the declared type and size.
 */
public final class UploadService {
    public static final Duration UPLOAD_URL_TTL = Duration.ofMinutes(15);
    /** Long enough to start a download, short enough that a shared link soon stops working. */
    public static final Duration DOWNLOAD_URL_TTL = Duration.ofMinutes(5);
    private static final Logger LOG = LoggerFactory.getLogger(UploadService.class);

    private final Database db;
    private final Storage storage;
    private final Views views;
    private final UserDirectory users = new UserDirectory();

    UploadService(Database db, Storage storage) {
        this.db = db;
        this.storage = storage;
        this.views = new Views(storage);
    }

    static UploadService create(Config config) {
        AwsClients aws = new AwsClients(config);
        Storage storage = new Storage(aws::s3, aws.presigner(), config.require("BUCKET_NAME"));
        return new UploadService(new Database(ConnectionFactory.fromConfig(config)), storage);
    }

    /** The 201 body: the original, its images, and how to upload the bytes. */
    public record Started(OriginalView original, List<ImageView> images, Upload upload) {}

    public record Upload(String method, String url, Map<String, String> headers, Instant expiresAt) {}

    /** One item of a batch: the single-upload answer under its status, or the problem that stopped it. */
    public record BatchItem(int index, int status, OriginalView original, List<ImageView> images, Upload upload,
                            Map<String, Object> problem) {
        static BatchItem started(int index, Started s) {
            return new BatchItem(index, 201, s.original(), s.images(), s.upload(), null);
        }

        static BatchItem failed(int index, ApiException e, String requestId) {
            return new BatchItem(index, e.status(), null, null, null, Responses.problemBody(e, requestId));
        }
    }

    public record Batch(List<BatchItem> items) {}

    /** One upload; room type and styles left out come from the user's preferences. */
    public Started start(Identity identity, UUID projectId, JsonNode body) {
        Preferences defaults = UploadRequest.usesDefaults(body) ? preferences(identity) : Preferences.NONE;
        return start(identity, projectId, UploadRequest.parse(body, defaults));
    }

    /**
     * Up to {@link Catalog#MAX_BATCH} uploads, each in its own transaction: an item that fails
     * (invalid, over quota) is reported and never stops the others. Items reserve quota in order.
     */
    public Batch startBatch(Identity identity, UUID projectId, JsonNode body, String requestId) {
        JsonNode items = body.get("items");
        if (items == null || !items.isArray() || items.isEmpty() || items.size() > Catalog.MAX_BATCH) {
            throw new ApiException.ValidationFailed(List.of(new FieldError("items",
                    "must be a list of 1 to " + Catalog.MAX_BATCH + " uploads")));
        }
        db.read(c -> ProjectRepository.findOwned(c, projectId, users.resolve(c, identity.subject(), identity.email())))
                .orElseThrow(() -> new ApiException.NotFound("The project"));
        boolean anyDefaults = false;
        for (JsonNode item : items) anyDefaults |= item.isObject() && UploadRequest.usesDefaults(item);
        Preferences defaults = anyDefaults ? preferences(identity) : Preferences.NONE;
        List<BatchItem> results = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            try {
                if (!item.isObject()) {
                    throw new ApiException.ValidationFailed(List.of(new FieldError("items[" + i + "]",
                            "must be an upload object")));
                }
                results.add(BatchItem.started(i, start(identity, projectId, UploadRequest.parse(item, defaults))));
            } catch (ApiException e) {
                results.add(BatchItem.failed(i, e, requestId));
            } catch (DatabaseException e) {
                LOG.error("batch item {} of project {}: database unavailable (sqlstate {})", i, projectId, e.sqlState());
                results.add(BatchItem.failed(i, new ApiException.DependencyDown("The database"), requestId));
            }
        }
        return new Batch(results);
    }

    private Preferences preferences(Identity identity) {
        return db.read(c -> ProfileRepository.preferences(c, users.resolve(c, identity.subject(), identity.email())));
    }

    /**
     * A short-lived GET of the photo or the staged result that downloads as an attachment under a
     * meaningful name; 409 while that file does not exist yet.
     */
    public String download(Identity identity, UUID imageId, String kind) {
        if (!kind.equals("original") && !kind.equals("staged")) {
            throw new ApiException.ValidationFailed(List.of(new FieldError("kind", "must be original or staged")));
        }
        record Row(Image image, Original original) {}
        Row row = db.read(c -> {
            Image image = ImageRepository.findOwned(c, imageId, users.resolve(c, identity.subject(), identity.email()))
                    .orElseThrow(() -> new ApiException.NotFound("The image"));
            return new Row(image, OriginalRepository.find(c, image.originalId()).orElseThrow());
        });
        String name = ObjectKeys.sanitize(row.original().filename());
        if (kind.equals("original")) {
            if (row.original().status() != OriginalStatus.UPLOADED) {
                throw new ApiException.Conflict("The photo is not available: it is " + row.original().status().wire());
            }
            return storage.presignDownload(row.original().s3Key(), DOWNLOAD_URL_TTL, name).url();
        }
        Image image = row.image();
        if (image.status() != ImageStatus.READY || image.stagedKey() == null) {
            throw new ApiException.Conflict("The staged image is not ready: it is " + image.status().wire());
        }
        return storage.presignDownload(image.stagedKey(), DOWNLOAD_URL_TTL, stagedName(name, image)).url();
    }

    /** "living-room.jpg" staged in coastal style as PNG → "living-room-coastal-staged.png". */
    static String stagedName(String originalName, Image image) {
        int dot = originalName.lastIndexOf('.');
        String stem = dot > 0 ? originalName.substring(0, dot) : originalName;
        String key = image.stagedKey();
        String ext = key.substring(key.lastIndexOf('.') + 1);
        return ObjectKeys.sanitize(stem + "-" + image.style() + "-staged." + ext);
    }

    public Started start(Identity identity, UUID projectId, UploadRequest request) {
        Instant now = Instant.now();
        UUID originalId = UUID.randomUUID();
        record Created(Original original, List<Image> images) {}
        Created created = db.transaction(c -> {
            UUID userId = users.resolve(c, identity.subject(), identity.email());
            ProjectRepository.findOwned(c, projectId, userId)
                    .orElseThrow(() -> new ApiException.NotFound("The project"));
            String key = ObjectKeys.upload(userId, originalId, ObjectKeys.sanitize(request.filename()));
            Original original = OriginalRepository.insert(c, new Original(originalId, projectId, userId,
                    request.filename(), request.contentType(), request.sizeBytes(), key, OriginalStatus.AWAITING_UPLOAD,
                    null, null, null, null, now.plus(UPLOAD_URL_TTL), null, null));
            List<Image> images = new ArrayList<>();
            for (String style : request.styles()) {
                images.add(ImageRepository.insert(c, new Image(UUID.randomUUID(), originalId, projectId, userId,
                        request.roomType(), style, request.mode(), request.prompt(), request.seed(),
                        ImageStatus.AWAITING_UPLOAD, null, null, null, null, null, null, null, null, null, 0,
                        null, null, null)));
            }
            // Reserving last: when the quota is short the whole transaction, rows included, rolls back.
            Quota.reserve(c, userId, images.stream().map(Image::id).toList(), now);
            return new Created(original, images);
        });
        Storage.PresignedUpload signed = storage.presignUpload(created.original().s3Key(),
                request.contentType(), request.sizeBytes(), UPLOAD_URL_TTL);
        OriginalView original = views.original(created.original(), created.images());
        return new Started(original, original.images(),
                new Upload("PUT", signed.url(), signed.headers(), signed.expiresAt()));
    }
}
