package ai.realstaging.common.realtime;

import java.util.UUID;

/** Redis pub/sub channel names: one channel per user, so a subscriber hears its own user only. */
public final class RedisChannels {
    private static final String USER_PREFIX = "realstaging:events:user:";

    private RedisChannels() {}

    public static String user(UUID userId) {
        return USER_PREFIX + userId;
    }
}
