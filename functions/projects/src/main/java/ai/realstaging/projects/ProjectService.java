package ai.realstaging.projects;

import ai.realstaging.common.api.Views;
import ai.realstaging.common.api.Views.ImageView;
import ai.realstaging.common.api.Views.OriginalView;
import ai.realstaging.common.api.Views.Page;
import ai.realstaging.common.api.Views.ProjectView;
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
import ai.realstaging.common.db.ProjectRepository;
import ai.realstaging.common.db.UserDirectory;
import ai.realstaging.common.http.ApiException;
import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.Original;
import ai.realstaging.common.model.Project;
import ai.realstaging.common.storage.Storage;
import java.util.List;
import java.util.UUID;

/** Projects, originals and images as their owner sees them; anything not theirs is "not found". */
public final class ProjectService {
    private final Database db;
    private final Views views;
    private final UserDirectory users = new UserDirectory();

    ProjectService(Database db, Storage storage) {
        this.db = db;
        this.views = new Views(storage);
    }

    static ProjectService create(Config config) {
        AwsClients aws = new AwsClients(config);
        Storage storage = new Storage(aws::s3, aws.presigner(), config.require("BUCKET_NAME"));
        return new ProjectService(new Database(ConnectionFactory.fromConfig(config)), storage);
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
            UUID userId = users.resolve(c, identity.subject(), identity.email());
            return Views.project(ProjectRepository.insert(c, UUID.randomUUID(), userId, name));
        });
    }

    public Page<ProjectView> list(Identity identity, Cursor after, int limit) {
        KeysetPage<Project> page = KeysetPage.of(db.read(c -> {
            UUID userId = users.resolve(c, identity.subject(), identity.email());
            return ProjectRepository.listOwned(c, userId, after, limit + 1);
        }), limit, p -> new Cursor(p.createdAt(), p.id()));
        return new Page<>(page.rows().stream().map(Views::project).toList(), page.nextCursor());
    }

    public ProjectView get(Identity identity, UUID projectId) {
        return Views.project(db.read(c -> {
            UUID userId = users.resolve(c, identity.subject(), identity.email());
            return ProjectRepository.findOwned(c, projectId, userId)
                    .orElseThrow(() -> new ApiException.NotFound("The project"));
        }));
    }

    /** One page of originals and all their images: two queries, whatever the number of images. */
    public Page<OriginalView> originals(Identity identity, UUID projectId, Cursor after, int limit) {
        record Rows(KeysetPage<Original> originals, List<Image> images) {}
        Rows rows = db.read(c -> {
            UUID userId = users.resolve(c, identity.subject(), identity.email());
            ProjectRepository.findOwned(c, projectId, userId)
                    .orElseThrow(() -> new ApiException.NotFound("The project"));
            KeysetPage<Original> page = KeysetPage.of(
                    OriginalRepository.listByProject(c, projectId, userId, after, limit + 1), limit,
                    o -> new Cursor(o.createdAt(), o.id()));
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
        Quota.Usage usage = db.read(c -> Quota.usage(c, users.resolve(c, identity.subject(), identity.email()),
                java.time.Instant.now()));
        return new UsageView(usage.plan(), usage.limit(), usage.used(), usage.remaining(), usage.period().start(),
                usage.period().end());
    }

    public ImageView image(Identity identity, UUID imageId) {
        record Row(Image image, Original original) {}
        Row row = db.read(c -> {
            UUID userId = users.resolve(c, identity.subject(), identity.email());
            Image image = ImageRepository.findOwned(c, imageId, userId)
                    .orElseThrow(() -> new ApiException.NotFound("The image"));
            return new Row(image, OriginalRepository.find(c, image.originalId()).orElseThrow());
        });
        return views.image(row.image(), row.original());
    }
}
