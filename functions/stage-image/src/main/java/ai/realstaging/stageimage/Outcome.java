package ai.realstaging.stageimage;

/** What to do with a queue message once it has been handled. */
sealed interface Outcome {
    /** Done (or nothing to do): delete the message. */
    record Ack() implements Outcome {}

    /** Leave it on the queue and bring it back after {@code seconds}. */
    record Retry(int seconds, String reason) implements Outcome {}

    Outcome ACK = new Ack();
}
