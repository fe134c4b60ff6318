package ai.realstaging.common.model;

import java.time.Instant;
import java.util.UUID;

/** An uploaded room photo (or one still expected), stored at {@code s3Key}. */
public record Original(
        UUID id,
        UUID projectId,
        UUID userId,
        String filename,
        String contentType,
        long sizeBytes,
        String s3Key,
        OriginalStatus status,
        String rejectCode,
        String rejectReason,
        Integer width,
        Integer height,
        Instant uploadExpiresAt,
        Instant createdAt,
        Instant updatedAt) {}
