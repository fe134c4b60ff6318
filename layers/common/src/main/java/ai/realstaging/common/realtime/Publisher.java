package ai.realstaging.common.realtime;

import ai.realstaging.common.api.Views.ImageView;
import ai.realstaging.common.api.Views.OriginalView;
import ai.realstaging.common.config.AwsClients;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.observability.Observability;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes status changes to their owner, over the transports configuration names
 * ({@code REALTIME_TRANSPORT}: {@code websocket}, {@code redis}, both comma-separated, or {@code none}).
 * Call it after the change is committed. It never throws: a failed publish is logged, and the
 * client catches up through {@code updated_since}.
 */
public final class Publisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

    private final List<Transport> transports;

    Publisher(List<Transport> transports) {
        this.transports = List.copyOf(transports);
    }

    /** Publishes nothing: for functions and tests with no real-time clients. */
    public static Publisher disabled() {
        return new Publisher(List.of());
    }

    /**
     * From configuration: {@code websocket} needs {@code WEBSOCKET_CALLBACK_URL} (the API's
     * https://{api}.execute-api.{region}.amazonaws.com/{stage}) and the connections table in {@code db};
     * {@code redis} needs {@code REDIS_URL}. Nothing connects until the first publish.
     */
    public static Publisher fromConfig(Config config, Database db, AwsClients aws) {
        List<Transport> transports = new ArrayList<>();
        for (String name : config.get("REALTIME_TRANSPORT", "none").toLowerCase(Locale.ROOT).split("\\s*,\\s*")) {
            switch (name) {
                case "none", "" -> { }
                case "websocket" -> transports.add(new WebSocketTransport(db,
                        aws.connections(URI.create(config.require("WEBSOCKET_CALLBACK_URL")))));
                case "redis" -> transports.add(redis(URI.create(config.require("REDIS_URL"))));
                default -> throw new IllegalStateException(
                        "REALTIME_TRANSPORT names an unknown transport '" + name + "' (websocket, redis, none)");
            }
        }
        return new Publisher(transports);
    }

    /** Jedis is not in the Lambda layer: only a long-lived server (the local stack) brings it. */
    private static Transport redis(URI url) {
        try {
            return RedisTransport.of(url);
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("REALTIME_TRANSPORT=redis needs Jedis (redis.clients:jedis) on the classpath; "
                    + "the Lambda layer leaves it out, functions use websocket", e);
        }
    }

    /** {@code {"type":"image.updated","image":{…}}} to the image's owner. */
    public void imageUpdated(UUID userId, ImageView image) {
        publish(userId, Messages.IMAGE_UPDATED, image.id(), () -> Messages.imageUpdated(image));
    }

    /** {@code {"type":"original.updated","original":{…}}} to the original's owner. */
    public void originalUpdated(UUID userId, OriginalView original) {
        publish(userId, Messages.ORIGINAL_UPDATED, original.id(), () -> Messages.originalUpdated(original));
    }

    boolean enabled() {
        return !transports.isEmpty();
    }

    private void publish(UUID userId, String type, UUID subject, java.util.function.Supplier<Optional<String>> encode) {
        if (transports.isEmpty()) {
            return;
        }
        Optional<String> message;
        try {
            message = encode.get();
        } catch (RuntimeException e) {
            LOG.warn("{} {} could not be encoded: {}", type, subject, e.getClass().getSimpleName());
            return;
        }
        if (message.isEmpty()) {
            LOG.warn("{} {} is larger than {} bytes; not sent", type, subject, Messages.MAX_BYTES);
            return;
        }
        for (Transport transport : transports) {
            try {
                transport.send(userId, message.get());
                Observability.count("RealtimeMessages", 1);
            } catch (Exception e) {
                // Never the message or the exception text: the message carries presigned URLs.
                Observability.count("RealtimePublishFailures", 1);
                LOG.warn("{} {} to user {} over {} failed: {}", type, subject, userId, transport.name(),
                        e.getClass().getSimpleName());
            }
        }
    }

    @Override
    public void close() {
        for (Transport transport : transports) {
            if (transport instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // closing at shutdown: nothing left to tell
                }
            }
        }
    }
}
