package ai.realstaging.common.realtime;

import java.net.URI;
import java.util.UUID;
import java.util.function.Supplier;
import redis.clients.jedis.RedisClient;

/** Redis pub/sub: PUBLISH to the user's channel; a long-lived server subscribed to it hands the message on. */
final class RedisTransport implements Transport, AutoCloseable {
    private final Supplier<RedisClient> factory;
    private RedisClient redis;

    /** The client is made on first publish: no socket is opened during INIT (SnapStart). */
    RedisTransport(Supplier<RedisClient> factory) {
        this.factory = factory;
    }

    static RedisTransport of(URI url) {
        return new RedisTransport(() -> RedisClient.create(url));
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public void send(UUID userId, String message) {
        client().publish(RedisChannels.user(userId), message);
    }

    private synchronized RedisClient client() {
        if (redis == null) {
            redis = factory.get();
        }
        return redis;
    }

    @Override
    public synchronized void close() {
        if (redis != null) {
            redis.close();
            redis = null;
        }
    }
}
