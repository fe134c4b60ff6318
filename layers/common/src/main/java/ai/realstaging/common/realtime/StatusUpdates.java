package ai.realstaging.common.realtime;

import ai.realstaging.common.api.Views;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.ImageRepository;
import ai.realstaging.common.db.OriginalRepository;
import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.Original;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call after a committed status change: reads the row as the REST API would answer it, builds
 * its view (presigned URLs included) and publishes it to the owner. Never throws.
 */
public final class StatusUpdates {
    private static final Logger LOG = LoggerFactory.getLogger(StatusUpdates.class);

    private final Database db;
    private final Views views;
    private final Publisher publisher;

    public StatusUpdates(Database db, Views views, Publisher publisher) {
        this.db = db;
        this.views = views;
        this.publisher = publisher;
    }

    /** Publishes nothing. */
    public static StatusUpdates disabled() {
        return new StatusUpdates(null, null, Publisher.disabled());
    }

    /** An image changed and the caller holds its rows: {@code image.updated} to its owner, no read. */
    public void image(Image image, Original original) {
        if (!publisher.enabled()) return;
        try {
            publisher.imageUpdated(image.userId(), views.image(image, original));
        } catch (RuntimeException e) {
            LOG.warn("image.updated {} not published: {}", image.id(), e.getClass().getSimpleName());
        }
    }

    /** An image changed: {@code image.updated} to its owner. */
    public void image(UUID imageId) {
        if (!publisher.enabled()) return;
        try {
            record Row(Image image, Original original) {}
            Optional<Row> row = db.read(c -> {
                Optional<Image> image = ImageRepository.find(c, imageId);
                return image.isEmpty() ? Optional.<Row>empty()
                        : OriginalRepository.find(c, image.get().originalId()).map(o -> new Row(image.get(), o));
            });
            row.ifPresent(r -> publisher.imageUpdated(r.image().userId(), views.image(r.image(), r.original())));
        } catch (RuntimeException e) {
            LOG.warn("image.updated {} not published: {}", imageId, e.getClass().getSimpleName());
        }
    }

    /**
     * An original changed, and its images with it (verified: images queued; rejected: images failed):
     * {@code original.updated}, then one {@code image.updated} per image.
     */
    public void originalWithImages(UUID originalId) {
        if (!publisher.enabled()) return;
        try {
            record Rows(Original original, List<Image> images) {}
            Optional<Rows> rows = db.read(c -> {
                Optional<Original> original = OriginalRepository.find(c, originalId);
                return original.isEmpty() ? Optional.<Rows>empty()
                        : Optional.of(new Rows(original.get(), ImageRepository.listByOriginal(c, originalId)));
            });
            if (rows.isEmpty()) return;
            Original original = rows.get().original();
            publisher.originalUpdated(original.userId(), views.original(original, rows.get().images()));
            for (Image image : rows.get().images()) {
                publisher.imageUpdated(image.userId(), views.image(image, original));
            }
        } catch (RuntimeException e) {
            LOG.warn("original.updated {} not published: {}", originalId, e.getClass().getSimpleName());
        }
    }
}
