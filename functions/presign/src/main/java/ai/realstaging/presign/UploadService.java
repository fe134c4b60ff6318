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
import ai.realstaging.common.db.ImageRepository;
import ai.realstaging.common.db.OriginalRepository;
import ai.realstaging.common.db.ProjectRepository;
import ai.realstaging.common.db.UserDirectory;
import ai.realstaging.common.http.ApiException;
import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.ImageStatus;
import ai.realstaging.common.model.Original;
import ai.realstaging.common.model.OriginalStatus;
import ai.realstaging.common.storage.ObjectKeys;
import ai.realstaging.common.storage.Storage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Starts uploads: checks ownership, reserves quota and records the original and its images in one
 * transaction, then signs a PUT that pins the declared type and size.
 */
public final class UploadService {
    public static final Duration UPLOAD_URL_TTL = Duration.ofMinutes(15);

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
