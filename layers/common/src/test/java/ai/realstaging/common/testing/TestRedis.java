package ai.realstaging.common.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.embedded.RedisServer;

/**
 * Redis for tests: the server REDIS_URL names (CI), or an embedded redis-server started once per JVM.
 * Tests keep apart by using their own channel and key names.
 */
public final class TestRedis {
    private static URI url;

    private TestRedis() {}

    public static synchronized URI url() {
        if (url == null) {
            String env = System.getenv("REDIS_URL");
            if (env != null && !env.isBlank()) {
                url = URI.create(env);
            } else {
                try {
                    int port;
                    try (ServerSocket s = new ServerSocket(0)) {
                        port = s.getLocalPort();
                    }
                    RedisServer server = RedisServer.newRedisServer().bind("127.0.0.1").port(port).build();
                    server.start();
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        try {
                            server.stop();
                        } catch (IOException ignored) {
                            // the JVM is going away
                        }
                    }));
                    url = URI.create("redis://127.0.0.1:" + port);
                } catch (IOException e) {
                    throw new IllegalStateException("embedded Redis could not start; set REDIS_URL", e);
                }
            }
        }
        return url;
    }

    /** Messages published to some channels, collected from the moment this returns until closed. */
    public static final class Subscription implements AutoCloseable {
        private final RedisClient client = RedisClient.create(url());
        private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final java.util.concurrent.CountDownLatch subscribed;
        private final JedisPubSub pubsub;
        private final Thread thread;

        public Subscription(String... channels) {
            subscribed = new java.util.concurrent.CountDownLatch(channels.length);
            pubsub = new JedisPubSub() {
                @Override
                public void onMessage(String channel, String message) {
                    messages.add(message);
                }

                @Override
                public void onSubscribe(String channel, int count) {
                    subscribed.countDown();
                }
            };
            thread = Thread.ofVirtual().start(() -> client.subscribe(pubsub, channels));
            try {
                if (!subscribed.await(5, TimeUnit.SECONDS)) throw new IllegalStateException("not subscribed in 5 s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** The next message, or null after the timeout. */
        public String next(long millis) throws InterruptedException {
            return messages.poll(millis, TimeUnit.MILLISECONDS);
        }

        /** Everything received so far. */
        public List<String> drain() {
            List<String> all = new java.util.ArrayList<>();
            messages.drainTo(all);
            return all;
        }

        @Override
        public void close() {
            if (pubsub.isSubscribed()) pubsub.unsubscribe();
            client.close();
        }
    }
}
