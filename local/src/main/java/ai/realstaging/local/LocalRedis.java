package ai.realstaging.local;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import redis.embedded.RedisServer;

/** Redis for the local stack: REDIS_URL when given, otherwise an embedded redis-server on a free loopback port. */
final class LocalRedis implements AutoCloseable {
    private final URI url;
    private final RedisServer embedded;

    private LocalRedis(URI url, RedisServer embedded) {
        this.url = url;
        this.embedded = embedded;
    }

    static LocalRedis start(String redisUrl) throws IOException {
        if (redisUrl != null && !redisUrl.isBlank()) {
            return new LocalRedis(URI.create(redisUrl), null);
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        // Nothing persisted: the stack's Redis only carries pub/sub and short-lived tickets.
        RedisServer server = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
                .setting("save \"\"").setting("appendonly no").build();
        server.start();
        return new LocalRedis(URI.create("redis://127.0.0.1:" + port), server);
    }

    URI url() {
        return url;
    }

    boolean embedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.stop();
            } catch (IOException ignored) {
                // the process is going away anyway
            }
        }
    }
}
