package ai.realstaging.common.realtime;

import java.util.UUID;

/** One way of getting a message to a user's open clients. */
interface Transport {
    /** For logs: "websocket", "redis". */
    String name();

    /** Delivers to every client of the user this transport knows; throws when it could not try. */
    void send(UUID userId, String message) throws Exception;
}
