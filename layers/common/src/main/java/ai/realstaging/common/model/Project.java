package ai.realstaging.common.model;

import java.time.Instant;
import java.util.UUID;

/** A listing: the folder an agent's room photos live in. */
public record Project(UUID id, UUID userId, String name, Instant createdAt, Instant updatedAt) {}
