package ai.realstaging.stageimage;

import ai.realstaging.common.billing.Quota;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.ImageRepository;
import ai.realstaging.common.db.OriginalRepository;
import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.Original;
import ai.realstaging.common.model.OriginalStatus;
import ai.realstaging.common.observability.Observability;
import ai.realstaging.common.queue.QueueMessage.CreatedObject;
import ai.realstaging.common.queue.StagingQueue;
import ai.realstaging.common.realtime.StatusUpdates;
import ai.realstaging.common.staging.Catalog;
import ai.realstaging.common.staging.ImageVerifier;
import ai.realstaging.common.storage.Storage;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles an upload S3 reported: verifies the photo, marks the original uploaded (queueing its
 * images) or rejected (failing its images and giving their quota back).
 */
final class UploadVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(UploadVerifier.class);

    private final Database db;
    private final Storage storage;
    private final StagingQueue queue;
    private final StatusUpdates updates;

    UploadVerifier(Database db, Storage storage, StagingQueue queue, StatusUpdates updates) {
        this.db = db;
        this.storage = storage;
        this.queue = queue;
        this.updates = updates;
    }

    void onCreated(CreatedObject object) throws IOException {
        Optional<Original> found = db.read(c -> OriginalRepository.findByKey(c, object.key()));
        if (found.isEmpty()) {
            // Nothing of ours expects this object (its original was deleted, or it was put by hand).
            LOG.warn("upload {} has no original; deleting the object", object.key());
            storage.delete(object.key());
            return;
        }
        Original original = found.get();
        if (original.status() == OriginalStatus.AWAITING_UPLOAD) {
            verify(original, object);
        }
        // Two deliveries of one event may both verify; only one wins the conditional update. Either
        // way, queued images are (re)sent: the message is acknowledged only once they have gone out.
        List<UUID> queued = db.read(c -> ImageRepository.listQueued(c, original.id())).stream().map(Image::id).toList();
        queue.sendStage(queued);
    }

    private void verify(Original original, CreatedObject object) throws IOException {
        ImageVerifier.Verified verified;
        try {
            if (object.size() >= 0 && object.size() != original.sizeBytes()) {
                throw new ImageVerifier.Rejected("size_mismatch", "The uploaded file has " + object.size()
                        + " bytes but " + original.sizeBytes() + " were declared");
            }
            byte[] bytes = storage.read(original.s3Key(), Catalog.MAX_UPLOAD_BYTES);
            verified = ImageVerifier.verify(bytes, original.contentType(), original.sizeBytes());
        } catch (ImageVerifier.Rejected rejected) {
            reject(original, rejected);
            return;
        }
        List<Image> queued = db.transaction(c -> {
            if (!OriginalRepository.markUploaded(c, original.id(), verified.width(), verified.height())) {
                return List.<Image>of();
            }
            return ImageRepository.queueAwaiting(c, original.id());
        });
        LOG.info("original {} uploaded ({}x{}), {} image(s) queued", original.id(), verified.width(),
                verified.height(), queued.size());
        if (!queued.isEmpty()) updates.originalWithImages(original.id());
    }

    private void reject(Original original, ImageVerifier.Rejected rejected) {
        int failed = db.transaction(c -> {
            if (!OriginalRepository.markRejected(c, original.id(), rejected.code(), rejected.getMessage())) {
                return 0;
            }
            int count = 0;
            for (Image image : ImageRepository.listByOriginal(c, original.id())) {
                if (ImageRepository.markFailed(c, image.id(), "upload_rejected", rejected.getMessage()).isPresent()) {
                    Quota.release(c, image.id());
                    count++;
                }
            }
            return count;
        });
        Observability.count("UploadsRejected", 1);
        updates.originalWithImages(original.id());
        LOG.info("original {} rejected ({}); {} image(s) failed and refunded", original.id(), rejected.code(), failed);
    }
}
