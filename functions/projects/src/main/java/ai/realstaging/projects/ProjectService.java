package ai.realstaging.projects;

import ai.realstaging.common.api.ProfilePatch;
import ai.realstaging.common.api.UploadRequest.StagingOptions;
import ai.realstaging.common.api.Views.ImageView;
import ai.realstaging.common.api.Views.MeView;
import ai.realstaging.common.api.Views.OriginalView;
import ai.realstaging.common.api.Views.Page;
import ai.realstaging.common.api.Views.ProjectView;
import ai.realstaging.common.api.Views;
import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.billing.Plans;
import ai.realstaging.common.billing.Quota;
import ai.realstaging.common.config.AwsClients;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.db.ConnectionFactory;
import ai.realstaging.common.db.Cursor;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.ImageRepository;
import ai.realstaging.common.db.KeysetPage;
import ai.realstaging.common.db.OriginalRepository;
import ai.realstaging.common.db.ProfileRepository;
import ai.realstaging.common.db.ProjectRepository;
import ai.realstaging.common.db.UserDirectory;
import ai.realstaging.common.http.ApiException.FieldError;
import ai.realstaging.common.http.ApiException;
import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.ImageStatus;
import ai.realstaging.common.model.Original;
import ai.realstaging.common.model.OriginalStatus;
import ai.realstaging.common.model.Profile.Preferences;
import ai.realstaging.common.model.Project;
import ai.realstaging.common.queue.StagingQueue;
import ai.realstaging.common.realtime.Publisher;
import ai.realstaging.common.storage.Storage;
import ai.realstaging.common.storage.StorageDeletions;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Projects, originals and images as their owner sees them; anything not theirs is "not found". */
public final class ProjectService {
    private static final Logger LOG = LoggerFactory.getLogger(ProjectService.class);

    private final Database db;
    private final Views views;
    private final StorageDeletions deletions;
    private final StagingQueue queue;
    private final Publisher publisher;
    private final UserDirectory users;

    ProjectService(Database db, Storage storage, StagingQueue queue) {
        this(db, storage, queue, Publisher.disabled());
    }

    ProjectService(Database db, Storage storage, StagingQueue queue, Publisher publisher) {
        this(db, storage, queue, publisher, new UserDirectory());
    }

    ProjectService(Database db, Storage storage, StagingQueue queue, Publisher publisher, UserDirectory users) {
        this.users = users;
        this.publisher = publisher;
        this.db = db;
        this.views = new Views(storage);
        this.deletions = new StorageDeletions(db, storage);
        this.queue = queue;
    }

    /** With the function's one set of SDK clients, shared with its billing and admin services. */
    static ProjectService create(Config config, AwsClients aws) {
        Storage storage = new Storage(aws::s3, aws.presigner(), config.require("BUCKET_NAME"));
        StagingQueue queue = new StagingQueue(aws::sqs, config.require("STAGING_QUEUE_URL"));
        Database db = new Database(ConnectionFactory.fromConfig(config));
        return new ProjectService(db, storage, queue, Publisher.fromConfig(config, db, aws), new UserDirectory());
    }

    /** The function's cache of user ids, shared with its other services. */
    UserDirectory users() {
        return users;
    }

    private UUID userId(Connection c, Identity identity) throws SQLException {
        return users.resolve(c, identity.subject(), identity.email());
    }

    // ---------------------------------------------------------------- profile

    public MeView me(Identity identity) {
        return Views.me(db.transaction(c -> ProfileRepository.find(c, userId(c, identity)).orElseThrow()),
                identity.isAdmin());
    }

    public MeView updateMe(Identity identity, ProfilePatch patch) {
        return Views.me(db.transaction(c -> ProfileRepository.update(c, userId(c, identity), patch.columns(),
                patch.preferences())), identity.isAdmin());
    }

    // ---------------------------------------------------------------- projects

    public ProjectView rename(Identity identity, UUID projectId, String name) {
        return Views.project(db.transaction(c -> ProjectRepository.rename(c, projectId, userId(c, identity), name)
                .orElseThrow(() -> new ApiException.NotFound("The project"))));
    }

    /** Deletes the project, everything in it and its files; files S3 could not delete now are retried. */
    public void deleteProject(Identity identity, UUID projectId) {
        deleteWithFiles("The project", c -> ProjectRepository.delete(c, projectId, userId(c, identity)));
    }

    /** The function's one connection, shared with its other services. */
    Database database() {
        return db;
    }

    public boolean databaseUp() {
        return db.ping();
    }

    public ProjectView create(Identity identity, String name) {
        return db.transaction(c -> {
            UUID userId = userId(c, identity);
            return Views.project(ProjectRepository.insert(c, UUID.randomUUID(), userId, name));
        });
    }

    public Page<ProjectView> list(Identity identity, Cursor after, int limit) {
        KeysetPage<Project> page = KeysetPage.of(db.read(c -> {
            UUID userId = userId(c, identity);
            return ProjectRepository.listOwned(c, userId, after, limit + 1);
        }), limit, p -> new Cursor(p.createdAt(), p.id()));
        return new Page<>(page.rows().stream().map(Views::project).toList(), page.nextCursor());
    }

    public ProjectView get(Identity identity, UUID projectId) {
        return Views.project(db.read(c -> {
            UUID userId = userId(c, identity);
            return ProjectRepository.findOwned(c, projectId, userId)
                    .orElseThrow(() -> new ApiException.NotFound("The project"));
        }));
    }

    /**
     * One page of originals and all their images: two queries, whatever the number of images. With
     * {@code changedSince}, only originals that changed (or whose images changed) after it.
     */
    public Page<OriginalView> originals(Identity identity, UUID projectId, Cursor after, int limit,
                                        Instant changedSince) {
        record Rows(KeysetPage<Original> originals, List<Image> images) {}
        Rows rows = db.read(c -> {
            UUID userId = userId(c, identity);
            ProjectRepository.findOwned(c, projectId, userId)
                    .orElseThrow(() -> new ApiException.NotFound("The project"));
            List<Original> found = changedSince == null
                    ? OriginalRepository.listByProject(c, projectId, userId, after, limit + 1)
                    : OriginalRepository.listChangedSince(c, projectId, userId, changedSince, after, limit + 1);
            KeysetPage<Original> page = KeysetPage.of(found, limit, o -> new Cursor(o.createdAt(), o.id()));
            return new Rows(page, ImageRepository.listByOriginals(c, page.rows().stream().map(Original::id).toList()));
        });
        return new Page<>(views.originals(rows.originals().rows(), rows.images()), rows.originals().nextCursor());
    }

    /** PRODUCT.md's Usage shape: plan, limit, used, remaining and the period counted in. */
    public record UsageView(String plan, int limit, int used, int remaining, java.time.Instant periodStart,
                            java.time.Instant periodEnd) {}

    public Page<Plans.Plan> plans() {
        return new Page<>(db.read(Plans::list), null);
    }

    public UsageView usage(Identity identity) {
        Quota.Usage usage = db.read(c -> Quota.usage(c, userId(c, identity),
                java.time.Instant.now()));
        return new UsageView(usage.plan(), usage.limit(), usage.used(), usage.remaining(), usage.period().start(),
                usage.period().end());
    }

    // ---------------------------------------------------------------- originals

    public OriginalView original(Identity identity, UUID originalId) {
        record Row(Original original, List<Image> images) {}
        Row row = db.read(c -> {
            Original original = OriginalRepository.findOwned(c, originalId, userId(c, identity))
                    .orElseThrow(() -> new ApiException.NotFound("The original"));
            return new Row(original, ImageRepository.listByOriginal(c, originalId));
        });
        return views.original(row.original(), row.images());
    }

    /** Deletes the original, its images and all their files. */
    public void deleteOriginal(Identity identity, UUID originalId) {
        deleteWithFiles("The original", c -> OriginalRepository.delete(c, originalId, userId(c, identity)));
    }

    /**
     * A new image of an uploaded original with other options: reserved and queued in one
     * transaction, its stage message sent after commit (a lost send is re-sent by the sweep).
     */
    public ImageView restage(Identity identity, UUID originalId, JsonNode body) {
        Instant now = Instant.now();
        record Row(Image image, Original original) {}
        Row row = db.transaction(c -> {
            UUID userId = userId(c, identity);
            Original original = OriginalRepository.findOwned(c, originalId, userId)
                    .orElseThrow(() -> new ApiException.NotFound("The original"));
            if (original.status() != OriginalStatus.UPLOADED) {
                throw new ApiException.Conflict("Only an uploaded photo can be staged again; this one is "
                        + original.status().wire());
            }
            Preferences defaults = ProfileRepository.preferences(c, userId);
            String sameRoom = ImageRepository.listByOriginal(c, originalId).stream()
                    .map(Image::roomType).findFirst().orElse(defaults.defaultRoomType());
            List<FieldError> errors = new ArrayList<>();
            body.fieldNames().forEachRemaining(name -> {
                if (!RESTAGE_FIELDS.contains(name)) errors.add(new FieldError(name, "is not a field of a re-stage request"));
            });
            String roomType = StagingOptions.roomType(body, sameRoom, errors);
            String style = StagingOptions.style(body, defaults.defaultStyle(), errors);
            String mode = StagingOptions.mode(body, errors);
            String prompt = StagingOptions.prompt(body, errors);
            Long seed = StagingOptions.seed(body, errors);
            if (!errors.isEmpty()) throw new ApiException.ValidationFailed(errors);
            Image image = ImageRepository.insertQueued(c, new Image(UUID.randomUUID(), originalId,
                    original.projectId(), userId, roomType, style, mode, prompt, seed, ImageStatus.QUEUED,
                    null, null, null, null, null, null, null, null, null, 0, null, null, null));
            Quota.reserve(c, userId, List.of(image.id()), now);
            return new Row(image, original);
        });
        // Published before the message goes out: once it is sent, the staging function may claim the image and
        // publish "processing", which must not reach the owner ahead of this "queued".
        ImageView view = published(row.image(), row.original());
        sendStage(row.image().id());
        return view;
    }

    private static final java.util.Set<String> RESTAGE_FIELDS = java.util.Set.of("style", "room_type", "mode", "prompt", "seed");

    // ---------------------------------------------------------------- images

    /** failed → queued with a new quota unit; 409 for any other state or an original that never arrived. */
    public ImageView retry(Identity identity, UUID imageId) {
        Instant now = Instant.now();
        record Row(Image image, Original original) {}
        Row row = db.transaction(c -> {
            UUID userId = userId(c, identity);
            Image image = ImageRepository.findOwned(c, imageId, userId)
                    .orElseThrow(() -> new ApiException.NotFound("The image"));
            if (image.status() != ImageStatus.FAILED) {
                throw new ApiException.Conflict("Only a failed image can be retried; this one is " + image.status().wire());
            }
            Original original = OriginalRepository.find(c, image.originalId()).orElseThrow();
            if (original.status() != OriginalStatus.UPLOADED) {
                throw new ApiException.Conflict("This image cannot be retried: its photo was "
                        + original.status().wire() + "; upload the photo again");
            }
            Image queued = ImageRepository.requeueFailed(c, imageId, userId)
                    .orElseThrow(() -> new ApiException.Conflict("The image changed while retrying; read it again"));
            Quota.reserveAgain(c, userId, imageId, now);
            return new Row(queued, original);
        });
        // Published before the message goes out: once it is sent, the staging function may claim the image and
        // publish "processing", which must not reach the owner ahead of this "queued".
        ImageView view = published(row.image(), row.original());
        sendStage(row.image().id());
        return view;
    }

    /** The view answered to the caller is also the live event to the owner's other clients (PRODUCT.md §7). */
    private ImageView published(Image image, Original original) {
        ImageView view = views.image(image, original);
        publisher.imageUpdated(image.userId(), view);
        return view;
    }

    /** Deletes the image and its staged file; the original's file stays for its other images. */
    public void deleteImage(Identity identity, UUID imageId) {
        deleteWithFiles("The image", c -> ImageRepository.delete(c, imageId, userId(c, identity))
                .map(staged -> staged.stream().toList()));
    }

    /**
     * Deletes rows and queues the files they held in one transaction ({@code delete} answers the
     * keys, or nothing when the resource is not the caller's), then deletes the files.
     */
    private void deleteWithFiles(String what, Database.Work<Optional<List<String>>> delete) {
        List<String> keys = db.transaction(c -> {
            List<String> held = delete.run(c).orElseThrow(() -> new ApiException.NotFound(what));
            StorageDeletions.enqueue(c, held);
            return held;
        });
        deleteFiles(keys);
    }

    private void deleteFiles(List<String> keys) {
        StorageDeletions.Result result = deletions.deleteNow(keys, Instant.now());
        if (result.remaining() > 0) {
            LOG.warn("{} of {} files could not be deleted now; the maintenance sweep retries them",
                    result.remaining(), keys.size());
        }
    }

    /** After commit; when the send fails the image stays queued and the maintenance sweep sends it. */
    private void sendStage(UUID imageId) {
        try {
            queue.sendStage(List.of(imageId));
        } catch (RuntimeException e) {
            LOG.warn("image {}: stage message not sent ({}); the maintenance sweep will send it",
                    imageId, e.getClass().getSimpleName());
        }
    }

    public ImageView image(Identity identity, UUID imageId) {
        record Row(Image image, Original original) {}
        Row row = db.read(c -> {
            UUID userId = userId(c, identity);
            Image image = ImageRepository.findOwned(c, imageId, userId)
                    .orElseThrow(() -> new ApiException.NotFound("The image"));
            return new Row(image, OriginalRepository.find(c, image.originalId()).orElseThrow());
        });
        return views.image(row.image(), row.original());
    }
}
