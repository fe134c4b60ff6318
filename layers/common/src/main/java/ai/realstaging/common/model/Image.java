package ai.realstaging.common.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** One staged version of an original: a style, room type and mode, and the model run that made it. */
public record Image(
        UUID id,
        UUID originalId,
        UUID projectId,
        UUID userId,
        String roomType,
        String style,
        String mode,
        String prompt,
        Long seed,
        ImageStatus status,
        String errorCode,
        String errorMessage,
        String model,
        String predictionId,
        BigDecimal costUsd,
        Integer modelMs,
        Integer totalMs,
        String stagedKey,
        String stagedContentType,
        int attempts,
        Instant leaseUntil,
        Instant createdAt,
        Instant updatedAt) {}
