package ai.realstaging.stageimage;

import java.time.Duration;

/** The time left in this invocation, so no work is started that Lambda would cut off. */
record Deadline(long endNanos) {

    static Deadline in(Duration remaining) {
        return new Deadline(System.nanoTime() + remaining.toNanos());
    }

    Duration remaining() {
        return Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
    }
}
