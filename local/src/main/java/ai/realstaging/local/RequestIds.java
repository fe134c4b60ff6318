package ai.realstaging.local;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids for local invocations, UUID-shaped like Lambda's. They only need to be unique in
 * logs, so they come from a fast random source rather than SecureRandom (three per request).
 */
final class RequestIds {
    private RequestIds() {}

    static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }
}
