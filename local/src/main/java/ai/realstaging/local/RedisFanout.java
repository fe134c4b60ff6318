package ai.realstaging.local;

import ai.realstaging.common.realtime.RedisChannels;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;

/**
 * One Redis subscription connection for every event-stream client of this process: a user's channel
 * is subscribed while at least one of their clients listens, so Redis, not this process, filters.
 */
final class RedisFanout implements AutoCloseable {
    /** Subscribed first: a subscriber connection needs one channel before others can be added. */
    private static final String CONTROL = "realstaging:events:local-fanout";

    private final RedisClient client;
    private final Map<String, Set<Consumer<String>>> listeners = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> unconfirmed = new ConcurrentHashMap<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final JedisPubSub pubsub = new JedisPubSub() {
        @Override
        public void onMessage(String channel, String message) {
            for (Consumer<String> listener : listeners.getOrDefault(channel, Set.of())) {
                listener.accept(message);
            }
        }

        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            if (channel.equals(CONTROL)) {
                ready.countDown();
            } else {
                CountDownLatch latch = unconfirmed.remove(channel);
                if (latch != null) latch.countDown();
            }
        }
    };
    private volatile boolean closed;

    RedisFanout(URI redis) throws InterruptedException {
        this.client = RedisClient.create(redis);
        Thread.ofPlatform().daemon().name("redis-fanout").start(() -> {
            try {
                client.subscribe(pubsub, CONTROL);
            } catch (RuntimeException e) {
                if (!closed) System.err.println("[events] Redis subscription lost: " + e.getClass().getSimpleName());
            } finally {
                // Every stream ends; its client reconnects and catches up.
                listeners.values().forEach(set -> set.forEach(listener -> listener.accept(null)));
            }
        });
        if (!ready.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Redis at " + redis.getHost() + ":" + redis.getPort() + " did not accept a subscription");
        }
    }

    /**
     * Hands every message on the user's channel to {@code listener} (null once the subscription is
     * lost) until the returned handle is closed. Returns once Redis confirmed the subscription, so
     * nothing published afterwards is missed.
     */
    AutoCloseable listen(UUID userId, Consumer<String> listener) throws InterruptedException {
        String channel = RedisChannels.user(userId);
        CountDownLatch confirmed;
        synchronized (this) {
            Set<Consumer<String>> set = listeners.get(channel);
            if (set == null) {
                set = new CopyOnWriteArraySet<>();
                listeners.put(channel, set);
                confirmed = new CountDownLatch(1);
                unconfirmed.put(channel, confirmed);
                pubsub.subscribe(channel);
            } else {
                confirmed = unconfirmed.get(channel);
            }
            set.add(listener);
        }
        if (confirmed != null && !confirmed.await(5, TimeUnit.SECONDS)) {
            stop(channel, listener);
            throw new IllegalStateException("Redis did not confirm the subscription");
        }
        return () -> stop(channel, listener);
    }

    private synchronized void stop(String channel, Consumer<String> listener) {
        Set<Consumer<String>> set = listeners.get(channel);
        if (set == null) return;
        set.remove(listener);
        if (set.isEmpty()) {
            listeners.remove(channel);
            if (!closed && pubsub.isSubscribed()) pubsub.unsubscribe(channel);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (pubsub.isSubscribed()) pubsub.unsubscribe();
        } catch (RuntimeException ignored) {
            // the connection is already gone
        }
        client.close();
    }
}
